import type { InferSchemaType } from 'mongoose';
import { ObjectId, Schema } from './schema.ts';
import type { Id } from './schema.ts';

/** Who changed what and when: one entry per write. */
export const auditEntrySchema = new Schema({
  at: { type: Date, required: true },
  userId: { type: ObjectId, default: null },
  username: { type: String, required: true },
  action: { type: String, required: true, enum: ['create', 'update', 'delete', 'import', 'login', 'logout'] },
  entity: { type: String, required: true },
  entityId: { type: String, default: null },
  /** JSON of the document before and after (passwords never included). */
  before: { type: Schema.Types.Mixed, default: null },
  after: { type: Schema.Types.Mixed, default: null },
  /** The scope the change belongs to, for filtering: region code of the entity, when known. */
  regionCode: { type: String, default: null },
});
auditEntrySchema.index({ at: -1 });
auditEntrySchema.index({ entity: 1, entityId: 1 });

export type AuditEntry = InferSchemaType<typeof auditEntrySchema> & { _id: Id };
