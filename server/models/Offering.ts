import type { InferSchemaType } from 'mongoose';
import { trackChanges } from './changes.ts';
import { ObjectId, Schema } from './schema.ts';
import type { Id } from './schema.ts';

/** A course offering (门次): one course taught by a hub teacher to receiving classes for a term. */
export const offeringSchema = new Schema(
  {
    clusterId: { type: ObjectId, required: true, index: true },
    term: { type: String, required: true, match: /^\d{4}-\d{4}-[12]$/ },
    subject: { type: String, required: true, trim: true },
    grade: { type: Number, required: true, min: 1, max: 12 },
    teacherId: { type: ObjectId, required: true, index: true },
    hubClassroomId: { type: ObjectId, required: true },
    receivingClassIds: { type: [ObjectId], required: true },
    periodsPerWeek: { type: Number, required: true, min: 1, max: 20 },
  },
  { timestamps: true },
);

// Reports keep this collection in memory and reload it when it changes (see changes.ts).
trackChanges(offeringSchema, 'Offering');

export type Offering = InferSchemaType<typeof offeringSchema> & { _id: Id };
