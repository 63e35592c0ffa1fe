import type mongoose from 'mongoose';
import type { Models } from '../models/index.ts';

/**
 * Bytes a cluster's recordings take on disk (raw segments and MP4s), as last measured: a
 * recording's raw bytes are measured when its lesson ends, its MP4's when composed.
 */
export async function clusterUsage(models: Models, clusterId: mongoose.Types.ObjectId): Promise<number> {
  const recordings = await models.Recording.find({ clusterId }, { rawBytes: 1, mp4Bytes: 1 }).lean();
  return recordings.reduce((n, r) => n + r.rawBytes + r.mp4Bytes, 0);
}
