import type { InferSchemaType } from 'mongoose';
import { trackChanges } from './changes.ts';
import { ObjectId, Schema, busyPeriods } from './schema.ts';
import type { Id } from './schema.ts';

/** A recording classroom (录播教室) of a hub school, or a receiving classroom. */
export const classroomSchema = new Schema(
  {
    schoolId: { type: ObjectId, required: true, index: true },
    name: { type: String, required: true, trim: true },
    kind: { type: String, required: true, enum: ['recording', 'receiving'] },
    hasWhiteboard: { type: Boolean, default: true },
    /** The classroom device account (a user with role classroom). */
    deviceUserId: { type: ObjectId, default: null },
    /** Local timetable: periods not free for synchronized lessons. */
    busy: busyPeriods,
  },
  { timestamps: true },
);
classroomSchema.index({ schoolId: 1, name: 1 }, { unique: true });

// Reports keep this collection in memory and reload it when it changes (see changes.ts).
trackChanges(classroomSchema, 'Classroom');

export type Classroom = InferSchemaType<typeof classroomSchema> & { _id: Id };
