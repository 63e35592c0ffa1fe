import type { InferSchemaType } from 'mongoose';
import { trackChanges } from './changes.ts';
import { ObjectId, Schema } from './schema.ts';
import type { Id } from './schema.ts';

/** One dated, scheduled period of an offering (课时), and what happened to it. */
export const lessonSchema = new Schema(
  {
    clusterId: { type: ObjectId, required: true },
    offeringId: { type: ObjectId, default: null },
    title: { type: String, required: true, trim: true },
    subject: { type: String, required: true },
    grade: { type: Number, required: true, min: 1, max: 12 },
    teacherId: { type: ObjectId, required: true },
    hubClassroomId: { type: ObjectId, required: true },
    /** Receiving classrooms. */
    classroomIds: { type: [ObjectId], required: true },
    scheduledStart: { type: Date, required: true },
    scheduledEnd: { type: Date, required: true },
    state: { type: String, required: true, enum: ['scheduled', 'live', 'ended'], default: 'scheduled' },
    startedAt: { type: Date, default: null },
    endedAt: { type: Date, default: null },
    /** How the lesson was judged once over (delivered, per-classroom attendance), by the rules of the time. */
    delivery: { type: Schema.Types.Mixed, default: null },
    /**
     * Its recording as the reports count it (`RecordingFact` of scheduler/delivery), copied
     * from its Recording whenever that changes (server/recording/lessonCopy.ts), since the
     * report facts are read from lessons alone; null: nothing recorded.
     */
    recording: {
      type: new Schema(
        {
          state: {
            type: String,
            required: true,
            enum: ['recording', 'composing', 'ready', 'failed', 'deleted'],
          },
          incomplete: { type: Boolean, default: false },
          shared: { type: Boolean, default: false },
        },
        { _id: false },
      ),
      default: null,
    },
  },
  { timestamps: true },
);
lessonSchema.index({ teacherId: 1, scheduledStart: 1 });
lessonSchema.index({ classroomIds: 1, scheduledStart: 1 });
lessonSchema.index({ state: 1 });
// Reports read a cluster's lessons of a period.
lessonSchema.index({ clusterId: 1, scheduledStart: 1 });

// Reports keep lesson facts in memory and re-read the lessons written (see changes.ts).
trackChanges(lessonSchema, 'Lesson', { byId: true });

export type Lesson = InferSchemaType<typeof lessonSchema> & { _id: Id };
