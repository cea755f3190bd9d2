/**
 * Lua scripts that make each catalogue write one atomic step in Redis: the checks (name free,
 * collection present, ingestion still the running one) and the writes cannot interleave with
 * another replica's write.
 *
 * Layout, every key under the catalogue prefix (`<keyPrefix>retrieval-catalog:`):
 * - `collection:<id>`: the collection record as JSON;
 * - `tenant-collections:<tenantId>`: hash of collection name to id (name uniqueness, listing);
 * - `collection-documents:<collectionId>`: hash of source to document id (source uniqueness,
 *   listing and deleting a collection's documents without scanning the keyspace);
 * - `document:<id>`: the document record as JSON.
 *
 * Scripts that reach a document known only inside the atomic step (the one a source maps to, the
 * documents of a deleted collection) build its key from the prefix passed in ARGV. That is fine on
 * a single Redis or behind Sentinel, which is what this service supports; Redis Cluster would need
 * every key declared and hash-tagged to one slot.
 */

/** Shared helpers, prepended to the scripts that use them. */
const helpers = `
-- The record (collection or document) at key, decoded, with its JSON; nil when absent or another tenant's.
local function recordOfTenant(key, tenantId)
  local json = redis.call('GET', key)
  if not json then return nil end
  local record = cjson.decode(json)
  if record.tenantId ~= tenantId then return nil end
  return record, json
end
local function isRunning(document, generation)
  local ingestion = document.ingestion
  return type(ingestion) == 'table' and ingestion.generation == generation and ingestion.status == 'INGESTING'
end
-- Mirrors migrationHolds in migration-transitions.ts: ISO 8601 times from toISOString compare as strings.
local function migrationHolds(collection, now)
  local migration = collection.migration
  return type(migration) == 'table' and migration.status == 'RUNNING' and migration.leaseExpiresAt > now
end
local function runningMigration(collection, migrationId)
  local migration = collection.migration
  if type(migration) == 'table' and migration.id == migrationId and migration.status == 'RUNNING' then return migration end
  return nil
end
local function assign(record, fieldsJson)
  for field, value in pairs(cjson.decode(fieldsJson)) do record[field] = value end
end
`;

/** KEYS: collection, tenant-collections. ARGV: id, name, record JSON. */
export const createCollectionScript = `
if redis.call('EXISTS', KEYS[1]) == 1 then return {'id-taken'} end
if redis.call('HEXISTS', KEYS[2], ARGV[2]) == 1 then return {'collection-name-taken'} end
redis.call('SET', KEYS[1], ARGV[3])
redis.call('HSET', KEYS[2], ARGV[2], ARGV[1])
return {'ok'}
`;

/**
 * KEYS: collection, tenant-collections, collection-documents. ARGV: tenant id, catalogue prefix.
 * Returns {'ok', collection JSON, document JSON...}.
 */
export const deleteCollectionScript = `
local json = redis.call('GET', KEYS[1])
if not json then return {'collection-not-found'} end
local collection = cjson.decode(json)
if collection.tenantId ~= ARGV[1] then return {'collection-not-found'} end
local reply = {'ok', json}
for _, id in ipairs(redis.call('HVALS', KEYS[3])) do
  local key = ARGV[2] .. 'document:' .. id
  local document = redis.call('GET', key)
  if document then
    reply[#reply + 1] = document
    redis.call('DEL', key)
  end
end
redis.call('DEL', KEYS[3], KEYS[1])
if redis.call('HGET', KEYS[2], collection.name) == collection.id then redis.call('HDEL', KEYS[2], collection.name) end
return reply
`;

/**
 * KEYS: collection, collection-documents, new document. ARGV: tenant id, source, new document id,
 * new document JSON, restart fields JSON (document with an active generation: title, media type
 * and metadata stay, the new ones wait in ingestion.pending), restart fields JSON for a document
 * without one (they are set at once), catalogue prefix, now. Returns {'ok', document JSON}.
 */
export const beginIngestionScript = `${helpers}
local collection = recordOfTenant(KEYS[1], ARGV[1])
if not collection then return {'collection-not-found'} end
if migrationHolds(collection, ARGV[8]) then return {'migration-running'} end
local existingId = redis.call('HGET', KEYS[2], ARGV[2])
if existingId then
  local key = ARGV[7] .. 'document:' .. existingId
  local document = recordOfTenant(key, ARGV[1])
  if document then
    if document.activeGeneration == cjson.null then assign(document, ARGV[6]) else assign(document, ARGV[5]) end
    local updated = cjson.encode(document)
    redis.call('SET', key, updated)
    return {'ok', updated}
  end
end
if redis.call('EXISTS', KEYS[3]) == 1 then return {'id-taken'} end
redis.call('SET', KEYS[3], ARGV[4])
redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
return {'ok', ARGV[4]}
`;

/** KEYS: document. ARGV: tenant id, generation, chunks embedded, chunks total or ''. */
export const recordProgressScript = `${helpers}
local document = recordOfTenant(KEYS[1], ARGV[1])
if not document or not isRunning(document, ARGV[2]) then return {'ignored'} end
document.ingestion.chunksEmbedded = tonumber(ARGV[3])
if ARGV[4] == '' then document.ingestion.chunksTotal = cjson.null else document.ingestion.chunksTotal = tonumber(ARGV[4]) end
redis.call('SET', KEYS[1], cjson.encode(document))
return {'ok'}
`;

/**
 * KEYS: document. ARGV: tenant id, generation, completed fields JSON. Applies the ingestion's
 * pending title, media type and metadata (absent on records stored before they existed) with the
 * generation flip. Returns {'ok', document JSON} plus the replaced generation when there was one.
 */
export const completeIngestionScript = `${helpers}
local document = recordOfTenant(KEYS[1], ARGV[1])
if not document then return {'document-not-found'} end
if not isRunning(document, ARGV[2]) then return {'ingestion-superseded'} end
local replaced = document.activeGeneration
local pending = document.ingestion.pending
if type(pending) == 'table' then
  document.title = pending.title
  document.mediaType = pending.mediaType
  document.metadata = pending.metadata
end
assign(document, ARGV[3])
local updated = cjson.encode(document)
redis.call('SET', KEYS[1], updated)
if replaced == cjson.null then return {'ok', updated} end
return {'ok', updated, replaced}
`;

/**
 * KEYS: document. ARGV: tenant id, generation, error JSON, now, catalogue prefix. Returns
 * {'removed'} (never completed: the document goes), {'failed'} (kept, pending values dropped) or
 * {'ignored'} (superseded).
 */
export const failIngestionScript = `${helpers}
local document = recordOfTenant(KEYS[1], ARGV[1])
if not document or not isRunning(document, ARGV[2]) then return {'ignored'} end
if document.activeGeneration == cjson.null then
  redis.call('DEL', KEYS[1])
  local index = ARGV[5] .. 'collection-documents:' .. document.collectionId
  if redis.call('HGET', index, document.source) == document.id then redis.call('HDEL', index, document.source) end
  return {'removed'}
end
document.ingestion.status = 'FAILED'
document.ingestion.error = cjson.decode(ARGV[3])
document.ingestion.pending = cjson.null
document.updatedAt = ARGV[4]
redis.call('SET', KEYS[1], cjson.encode(document))
return {'failed'}
`;

/** KEYS: document. ARGV: tenant id, catalogue prefix. Returns {'ok', document JSON}. */
export const deleteDocumentScript = `${helpers}
local document, json = recordOfTenant(KEYS[1], ARGV[1])
if not document then return {'document-not-found'} end
redis.call('DEL', KEYS[1])
local index = ARGV[2] .. 'collection-documents:' .. document.collectionId
if redis.call('HGET', index, document.source) == document.id then redis.call('HDEL', index, document.source) end
return {'ok', json}
`;

/**
 * KEYS: collection, collection-documents. ARGV: tenant id, migration JSON, now, catalogue prefix.
 * Returns {'ok', collection JSON} plus the replaced migration's JSON when there was one.
 */
export const beginMigrationScript = `${helpers}
local collection = recordOfTenant(KEYS[1], ARGV[1])
if not collection then return {'collection-not-found'} end
if migrationHolds(collection, ARGV[3]) then return {'migration-running'} end
for _, id in ipairs(redis.call('HVALS', KEYS[2])) do
  local document = redis.call('GET', ARGV[4] .. 'document:' .. id)
  if document then
    local ingestion = cjson.decode(document).ingestion
    if type(ingestion) == 'table' and ingestion.status == 'INGESTING' then return {'ingestion-running'} end
  end
end
local replaced = collection.migration
collection.migration = cjson.decode(ARGV[2])
local updated = cjson.encode(collection)
redis.call('SET', KEYS[1], updated)
if type(replaced) ~= 'table' then return {'ok', updated} end
return {'ok', updated, cjson.encode(replaced)}
`;

/** KEYS: collection. ARGV: tenant id, migration id, chunks embedded, lease expiry, chunks total. */
export const recordMigrationProgressScript = `${helpers}
local collection = recordOfTenant(KEYS[1], ARGV[1])
if not collection then return {'ignored'} end
local migration = runningMigration(collection, ARGV[2])
if not migration then return {'ignored'} end
migration.chunksEmbedded = tonumber(ARGV[3])
migration.leaseExpiresAt = ARGV[4]
migration.chunksTotal = tonumber(ARGV[5])
redis.call('SET', KEYS[1], cjson.encode(collection))
return {'ok'}
`;

/**
 * KEYS: collection. ARGV: tenant id, migration id, recall@10, now. Mirrors completedMigration in
 * migration-transitions.ts. Returns {'ok', previous collection JSON, collection JSON}.
 */
export const completeMigrationScript = `${helpers}
local collection, previous = recordOfTenant(KEYS[1], ARGV[1])
if not collection then return {'collection-not-found'} end
local migration = runningMigration(collection, ARGV[2])
if not migration then return {'migration-superseded'} end
collection.embeddingModelId = migration.targetEmbeddingModelId
collection.dimensions = migration.targetDimensions
collection.storageId = migration.targetStorageId
migration.status = 'COMPLETED'
migration.recallAtTen = tonumber(ARGV[3])
migration.finishedAt = ARGV[4]
local updated = cjson.encode(collection)
redis.call('SET', KEYS[1], updated)
return {'ok', previous, updated}
`;

/** KEYS: collection. ARGV: tenant id, migration id, error JSON, recall@10 or '', now. Mirrors failedMigration. */
export const failMigrationScript = `${helpers}
local collection = recordOfTenant(KEYS[1], ARGV[1])
if not collection then return {'ignored'} end
local migration = runningMigration(collection, ARGV[2])
if not migration then return {'ignored'} end
migration.status = 'FAILED'
migration.error = cjson.decode(ARGV[3])
if ARGV[4] == '' then migration.recallAtTen = cjson.null else migration.recallAtTen = tonumber(ARGV[4]) end
migration.finishedAt = ARGV[5]
redis.call('SET', KEYS[1], cjson.encode(collection))
return {'ok'}
`;
