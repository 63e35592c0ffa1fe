import type { InferSchemaType } from 'mongoose';
import { trackChanges } from './changes.ts';
import { REGION_CODE, Schema } from './schema.ts';
import type { Id } from './schema.ts';

/** Province → city (市州) → county (县市区), by administrative code. */
export const regionSchema = new Schema(
  {
    code: { type: String, required: true, match: REGION_CODE, unique: true },
    name: { type: String, required: true, trim: true },
    level: { type: String, required: true, enum: ['province', 'city', 'county'] },
    parentCode: { type: String, default: null, match: REGION_CODE },
  },
  { timestamps: true },
);
regionSchema.index({ parentCode: 1 });

// Reports keep this collection in memory and reload it when it changes (see changes.ts).
trackChanges(regionSchema, 'Region');

export type Region = InferSchemaType<typeof regionSchema> & { _id: Id };
