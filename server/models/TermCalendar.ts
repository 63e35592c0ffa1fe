import type { InferSchemaType } from 'mongoose';
import { trackChanges } from './changes.ts';
import { DATE, REGION_CODE, Schema } from './schema.ts';
import type { Id } from './schema.ts';

/** A term's dates, holidays and make-up working days (调休), usually set per county. */
export const termCalendarSchema = new Schema(
  {
    name: { type: String, required: true, trim: true },
    regionCode: { type: String, required: true, match: REGION_CODE },
    term: { type: String, required: true, match: /^\d{4}-\d{4}-[12]$/ },
    start: { type: String, required: true, match: DATE },
    end: { type: String, required: true, match: DATE },
    holidays: {
      type: [
        new Schema(
          { from: { type: String, match: DATE }, to: { type: String, match: DATE }, name: String },
          { _id: false },
        ),
      ],
      default: [],
    },
    /** Weekend days worked as another weekday (1 = Monday … 7 = Sunday). */
    makeupDays: {
      type: [
        new Schema(
          { date: { type: String, match: DATE }, followsWeekday: { type: Number, min: 1, max: 7 } },
          { _id: false },
        ),
      ],
      default: [],
    },
  },
  { timestamps: true },
);
termCalendarSchema.index({ regionCode: 1, term: 1 }, { unique: true });

// Reports keep this collection in memory and reload it when it changes (see changes.ts).
trackChanges(termCalendarSchema, 'TermCalendar');

export type TermCalendar = InferSchemaType<typeof termCalendarSchema> & { _id: Id };
