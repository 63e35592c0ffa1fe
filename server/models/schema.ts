import mongoose from 'mongoose';

/**
 * Shared helpers for the model files. The data layer uses only what both FerretDB 1.x and
 * MongoDB support: CRUD, indexes (unique ones too) and simple aggregation; no $lookup, no
 * transactions, no change streams.
 */
export const { Schema } = mongoose;
export const ObjectId = mongoose.Schema.Types.ObjectId;
export type Id = mongoose.Types.ObjectId;

/** A six-digit administrative division code (行政区划代码), e.g. 430725. */
export const REGION_CODE = /^\d{6}$/;
/** A time of day, HH:mm (24 h). */
export const TIME_OF_DAY = /^([01]\d|2[0-3]):[0-5]\d$/;
/**
 * Periods (weekday, period number of the school's bells) taken locally: a class's own
 * lessons, a teacher's local teaching, a recording classroom's other use. The joint
 * timetable keeps synchronized lessons out of them.
 */
export const busyPeriods = {
  type: [
    new mongoose.Schema(
      {
        weekday: { type: Number, required: true, min: 1, max: 7 },
        period: { type: Number, required: true, min: 1, max: 15 },
      },
      { _id: false },
    ),
  ],
  default: [],
};

/** A calendar date, YYYY-MM-DD. */
export const DATE = /^\d{4}-\d{2}-\d{2}$/;
