import { createHash } from 'node:crypto';

/** The Lua scripts of the Redis store: each is a check and a write that must happen as one step. */

// Touch must not bring back a session that expired or was deleted a moment ago, and must keep
// its data as it is: both need the check and the write in one atomic step.
export const TOUCH = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'refreshedAt', ARGV[1], 'expiresAt', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1`;

// Tokens are written only into a session that is still there and not expired by the app's
// clock: a refresh that ends after a sign-out must not bring the session back.
export const SET_TOKENS = `
local expiresAt = redis.call('HGET', KEYS[1], 'expiresAt')
if not expiresAt or tonumber(expiresAt) <= tonumber(ARGV[3]) then return 0 end
if ARGV[1] == '1' then redis.call('HSET', KEYS[1], 'tokens', ARGV[2])
else redis.call('HDEL', KEYS[1], 'tokens') end
return 1`;

// An index is a hint: a session may have expired, been deleted or been replaced by another
// person's since it was indexed. Only sessions that still carry the value are deleted.
export const DELETE_INDEXED = `
local count = 0
for _, member in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  local key = ARGV[1] .. member
  if redis.call('HGET', key, ARGV[2]) == ARGV[3] then
    redis.call('DEL', key)
    count = count + 1
  end
end
redis.call('DEL', KEYS[1])
return count`;

// Of the person indexes in KEYS, the people (ARGV[2 + i] for KEYS[i]) whose index still leads to
// a live session of theirs: an index outlives the sessions in it (see DELETE_INDEXED), so its
// existence alone says nothing. One call per SCAN step; each index stops at its first live one.
export const LIVE_PEOPLE = `
local now = tonumber(ARGV[2])
local live = {}
for i, index in ipairs(KEYS) do
  local person = ARGV[2 + i]
  for _, member in ipairs(redis.call('ZRANGEBYSCORE', index, '(' .. ARGV[2], '+inf')) do
    local fields = redis.call('HMGET', ARGV[1] .. member, 'userKey', 'expiresAt', 'absoluteExpiresAt')
    local expiresAt, absoluteExpiresAt = tonumber(fields[2]) or 0, tonumber(fields[3]) or 0
    if fields[1] == person and expiresAt > now and absoluteExpiresAt > now then
      live[#live + 1] = person
      break
    end
  end
end
return live`;

// A used value is recorded with the time it is used until, so the app's clock (not the TTL,
// which runs on Redis' clock) says when the record is over. A bare '1' is a record written by
// an earlier version, which relied on the TTL alone: still a replay until Redis drops it.
export const MARK_USED = `
local recorded = redis.call('GET', KEYS[1])
if recorded and (recorded == '1' or (tonumber(recorded) or math.huge) > tonumber(ARGV[2])) then
  return 0
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
return 1`;

// The scripts of the cluster store, each on one key: a session's hash and an index live in
// different hash slots, so nothing may read or write both in one step.

// A session's hash written whole (ARGV[2..]: field, value, …) with its TTL (ARGV[1]). A script
// rather than MULTI: node-redis queues a MULTI on a node that is reconnecting and sends it later,
// where a script is refused at once.
export const WRITE_SESSION = `
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return 1`;

// Adds a session key (ARGV[1]) to an index, scored by its absolute expiry (ARGV[2]); sheds the
// members whose absolute expiry has passed (before ARGV[3]); lets the index live as long as its
// longest-lived session could (ARGV[4] ms: NX for a new index, GT to only ever lengthen it).
export const INDEX_SESSION = `
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4], 'NX')
redis.call('PEXPIRE', KEYS[1], ARGV[4], 'GT')
return 1`;

// Deletes a session only if its field ARGV[1] still holds ARGV[2]: the index that led here is a
// hint, and the key may hold another person's session by now, or none.
export const DELETE_IF_FIELD = `
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('DEL', KEYS[1])
return 1`;

const sha1Cache = new Map<string, string>();

/** A script's SHA-1, for EVALSHA (computed once per script). */
export function sha1(script: string): string {
  let digest = sha1Cache.get(script);
  if (digest === undefined) {
    digest = createHash('sha1').update(script).digest('hex');
    sha1Cache.set(script, digest);
  }
  return digest;
}

// A session's data is replaced only while it is live and still the same person's: a write that
// comes late (the request began before the session was ended elsewhere) must not bring it back.
export const REPLACE_SESSION = `
local expiresAt = redis.call('HGET', KEYS[1], 'expiresAt')
if not expiresAt or tonumber(expiresAt) <= tonumber(ARGV[1]) then return 0 end
if redis.call('HGET', KEYS[1], 'userKey') ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], 'data', ARGV[3], 'createdAt', ARGV[4], 'refreshedAt', ARGV[5],
  'expiresAt', ARGV[6], 'absoluteExpiresAt', ARGV[7])
redis.call('PEXPIRE', KEYS[1], ARGV[8])
return 1`;
