import { describe, expect, it } from 'vitest';
import {
  addResourceAccess,
  GRAPH_USER_READ,
  MICROSOFT_GRAPH_APP_ID,
} from '../../src/cli/registration/add-resource-access.js';

const USER_READ_ID = 'e1fe6dd8-ba31-4d61-89e7-88639da4683d';

describe('addResourceAccess', () => {
  it('adds the resource when the registration declares none', () => {
    expect(addResourceAccess([], GRAPH_USER_READ)).toEqual([GRAPH_USER_READ]);
  });

  it('answers null when the permission is there, whatever the GUIDs’ case', () => {
    const current = [
      {
        resourceAppId: MICROSOFT_GRAPH_APP_ID.toUpperCase(),
        resourceAccess: [{ id: USER_READ_ID.toUpperCase(), type: 'Scope' }],
      },
    ];
    expect(addResourceAccess(current, GRAPH_USER_READ)).toBeNull();
  });

  it('does not take an application permission with the same id for the delegated one', () => {
    const current = [
      {
        resourceAppId: MICROSOFT_GRAPH_APP_ID,
        resourceAccess: [{ id: USER_READ_ID, type: 'Role' }],
      },
    ];
    expect(addResourceAccess(current, GRAPH_USER_READ)).toEqual([
      {
        resourceAppId: MICROSOFT_GRAPH_APP_ID,
        resourceAccess: [
          { id: USER_READ_ID, type: 'Role' },
          { id: USER_READ_ID, type: 'Scope' },
        ],
      },
    ]);
  });

  it('keeps what it does not know about an entry, and leaves the input unchanged', () => {
    const graph = {
      resourceAppId: MICROSOFT_GRAPH_APP_ID,
      resourceAccess: [{ id: 'e383f46e-2787-4529-855e-0e479a3ffac0', type: 'Scope' }],
      extra: 'kept',
    };
    const current = [graph];
    const merged = addResourceAccess(current, GRAPH_USER_READ);
    expect(merged?.[0]).toMatchObject({ extra: 'kept' });
    expect(merged?.[0]?.resourceAccess).toHaveLength(2);
    expect(graph.resourceAccess).toHaveLength(1);
  });
});
