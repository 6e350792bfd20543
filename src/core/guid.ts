/**
 * A GUID in its usual 8-4-4-4-12 hex form, either case: what Entra's object ids, client ids and
 * tenant ids look like (Graph answers in lower case; hand-edited values may not be).
 */
export const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
