import type { InferSchemaType } from 'mongoose';
import { trackChanges } from './changes.ts';
import { ObjectId, REGION_CODE, Schema } from './schema.ts';
import type { Id } from './schema.ts';

/** A network school cluster (联校群): hub school(s) teaching member schools. */
export const clusterSchema = new Schema(
  {
    name: { type: String, required: true, trim: true, unique: true },
    level: { type: String, required: true, enum: ['province', 'city', 'county'] },
    mode: { type: String, required: true, enum: ['1+N', 'N+N'] },
    /** Region of the organizing level (province, city or county code). */
    regionCode: { type: String, required: true, match: REGION_CODE },
    hubSchoolIds: { type: [ObjectId], required: true },
    memberSchoolIds: { type: [ObjectId], required: true },
    coordinatorIds: { type: [ObjectId], default: [] },
    /** Terms the cluster runs, e.g. "2026-2027-1". */
    activeTerms: { type: [String], default: [] },
  },
  { timestamps: true },
);
clusterSchema.index({ regionCode: 1 });
clusterSchema.index({ coordinatorIds: 1 });
clusterSchema.index({ hubSchoolIds: 1 });
clusterSchema.index({ memberSchoolIds: 1 });

// Reports keep this collection in memory and reload it when it changes (see changes.ts).
trackChanges(clusterSchema, 'Cluster');

export type Cluster = InferSchemaType<typeof clusterSchema> & { _id: Id };
