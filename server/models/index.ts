import mongoose from 'mongoose';
import type { Connection, InferSchemaType, Model } from 'mongoose';

const { Schema } = mongoose;
const ObjectId = Schema.Types.ObjectId;

// The data layer uses only what both FerretDB 1.x and MongoDB support: CRUD, indexes
// (unique ones too) and simple aggregation; no $lookup, no transactions, no change streams.

const schoolSchema = new Schema(
  {
    name: { type: String, required: true, trim: true },
    /** Administrative code of the county (县市区), e.g. 430424. */
    regionCode: { type: String, required: true, match: /^\d{6}$/ },
    kind: { type: String, required: true, enum: ['hub', 'rural', 'teaching_point'] },
    /** The school's link, Mbit/s. */
    downlinkMbps: { type: Number, required: true, min: 0 },
    uplinkMbps: { type: Number, required: true, min: 0 },
  },
  { timestamps: true },
);
schoolSchema.index({ regionCode: 1, name: 1 }, { unique: true });

const clusterSchema = new Schema(
  {
    name: { type: String, required: true, trim: true, unique: true },
    level: { type: String, required: true, enum: ['province', 'city', 'county'] },
    mode: { type: String, required: true, enum: ['1+N', 'N+N'] },
    regionCode: { type: String, required: true, match: /^\d{6}$/ },
    hubSchoolIds: { type: [ObjectId], required: true },
    memberSchoolIds: { type: [ObjectId], required: true },
  },
  { timestamps: true },
);
clusterSchema.index({ regionCode: 1 });

const classroomSchema = new Schema(
  {
    schoolId: { type: ObjectId, required: true, index: true },
    name: { type: String, required: true, trim: true },
    kind: { type: String, required: true, enum: ['recording', 'receiving'] },
    hasWhiteboard: { type: Boolean, default: true },
  },
  { timestamps: true },
);
classroomSchema.index({ schoolId: 1, name: 1 }, { unique: true });

const userSchema = new Schema(
  {
    username: { type: String, required: true, trim: true, lowercase: true, unique: true },
    passwordHash: { type: String, required: true },
    realName: { type: String, required: true, trim: true },
    phone: { type: String, default: null },
    role: {
      type: String,
      required: true,
      enum: ['admin', 'bureau', 'coordinator', 'teacher', 'classroom', 'assistant'],
    },
    schoolId: { type: ObjectId, default: null },
    /** For classroom device accounts: the classroom the device stands in. */
    classroomId: { type: ObjectId, default: null, index: true },
    clusterIds: { type: [ObjectId], default: [] },
    disabled: { type: Boolean, default: false },
  },
  { timestamps: true },
);

const lessonSchema = new Schema(
  {
    clusterId: { type: ObjectId, required: true },
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
  },
  { timestamps: true },
);
lessonSchema.index({ teacherId: 1, scheduledStart: 1 });
lessonSchema.index({ classroomIds: 1, scheduledStart: 1 });
lessonSchema.index({ state: 1 });

export type School = InferSchemaType<typeof schoolSchema> & { _id: mongoose.Types.ObjectId };
export type Cluster = InferSchemaType<typeof clusterSchema> & { _id: mongoose.Types.ObjectId };
export type Classroom = InferSchemaType<typeof classroomSchema> & { _id: mongoose.Types.ObjectId };
export type User = InferSchemaType<typeof userSchema> & { _id: mongoose.Types.ObjectId };
export type Lesson = InferSchemaType<typeof lessonSchema> & { _id: mongoose.Types.ObjectId };

export interface Models {
  School: Model<School>;
  Cluster: Model<Cluster>;
  Classroom: Model<Classroom>;
  User: Model<User>;
  Lesson: Model<Lesson>;
}

/** Binds the platform's models to a connection (one per platform instance). */
export function createModels(connection: Connection): Models {
  return {
    School: connection.model<School>('School', schoolSchema),
    Cluster: connection.model<Cluster>('Cluster', clusterSchema),
    Classroom: connection.model<Classroom>('Classroom', classroomSchema),
    User: connection.model<User>('User', userSchema),
    Lesson: connection.model<Lesson>('Lesson', lessonSchema),
  };
}

/** Builds every index declared above (idempotent). */
export async function syncIndexes(models: Models): Promise<void> {
  for (const model of Object.values(models) as Model<unknown>[]) await model.createIndexes();
}
