import type { InferSchemaType } from 'mongoose';
import { trackChanges } from './changes.ts';
import { ObjectId, REGION_CODE, Schema, busyPeriods } from './schema.ts';
import type { Id } from './schema.ts';
import type { Role } from '../contract/api.ts';

export const ROLES = [
  'admin',
  'bureau',
  'coordinator',
  'school',
  'teacher',
  'classroom',
  'assistant',
  'inspector',
] as const satisfies readonly Role[];

/** A real-name account (实名制). Scope comes from the role: bureau → regionCode, coordinator → clusters. */
export const userSchema = new Schema(
  {
    username: { type: String, required: true, trim: true, lowercase: true, unique: true },
    passwordHash: { type: String, required: true },
    realName: { type: String, required: true, trim: true },
    phone: { type: String, default: null },
    role: { type: String, required: true, enum: ROLES },
    /** Bureau and inspector accounts: the province, city or county they oversee. */
    regionCode: { type: String, default: null, match: REGION_CODE },
    schoolId: { type: ObjectId, default: null, index: true },
    /** Classroom device and assistant teacher accounts: their classroom. */
    classroomId: { type: ObjectId, default: null, index: true },
    /** Teachers: subjects they teach. */
    subjects: { type: [String], default: [] },
    /** Local timetable: periods not free for synchronized lessons. */
    busy: busyPeriods,
    disabled: { type: Boolean, default: false },
    /** The password was handed out (import, reset, `npm run admin`): the owner sets their own at first login. */
    mustChangePassword: { type: Boolean, default: false },
    /** Seeded demo account with the published password: usable from loopback only. */
    demo: { type: Boolean, default: false },
    /**
     * Raised whenever the account's access must end at once (disable, password reset, role or
     * scope change): access tokens carry the value they were issued under.
     */
    authVersion: { type: Number, default: 0 },
  },
  { timestamps: true },
);

// Reports keep this collection in memory and reload it when it changes (see changes.ts).
trackChanges(userSchema, 'User');

export type User = InferSchemaType<typeof userSchema> & { _id: Id };
