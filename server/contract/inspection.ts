/**
 * 巡课 (live inspection) on the wire: the wall of live lessons, the notes written while
 * watching, a region's notice rule and the answer of `watch:join` (types only).
 */
import type { LessonSummary } from './api.ts';
import type { Json, PeerInfo, ProducerInfo, TransportOptions } from './events.ts';

/** Tiles per page of the wall. */
export type WallPageSize = 16;

/** A classroom of a live lesson as the wall shows it. */
export interface WallClassroom {
  id: string;
  name: string;
  schoolName: string;
  /** In the lesson's media now. */
  connected: boolean;
  /** Time connected since the lesson went live, s (every stretch of every join). */
  connectedSeconds: number;
  /** The last head count its assistant teacher entered; null before one. */
  headcount: number | null;
  /** Pupils of the classes that sit in it. */
  classSize: number;
  /**
   * Its link as last measured: live from the SFU when this server hosts the lesson
   * (`source: 'live'`, a few seconds old), else the last per-minute sample (`'sample'`).
   */
  link: {
    connection: string;
    rttMs: number | null;
    lossPct: number | null;
    source: 'live' | 'sample';
  } | null;
}

/** One live lesson on the wall. */
export interface WallTile {
  id: string;
  title: string;
  subject: string;
  grade: number;
  teacherName: string;
  clusterName: string;
  hubSchoolName: string;
  /** County (区县) of the lesson's cluster, by code and name. */
  countyCode: string;
  countyName: string;
  /** ISO 8601 instants. */
  startedAt: string | null;
  scheduledEnd: string;
  classrooms: WallClassroom[];
}

/** A value to filter the wall by, with how many live lessons have it. */
export interface WallFacet {
  value: string;
  label: string;
  count: number;
}

/** GET /api/inspection/live: one page of the lessons live now in the caller's scope. */
export interface WallPage {
  tiles: WallTile[];
  /** 1-based. */
  page: number;
  pageSize: WallPageSize;
  /** Live lessons matching the filters. */
  total: number;
  /** Every live lesson in scope, by county, subject and school (hub or receiving). */
  facets: { counties: WallFacet[]; subjects: WallFacet[]; schools: WallFacet[] };
  /** When the page was read, ISO 8601. */
  at: string;
}

/** A note written while watching a lesson (巡课记录). */
export interface InspectionNoteView {
  id: string;
  lessonId: string;
  authorName: string;
  /** The author is the caller. */
  mine: boolean;
  /** The moment of the lesson it is about, ISO 8601. */
  at: string;
  /** Seconds from the lesson going live to `at` (null when the lesson never went live). */
  offsetSeconds: number | null;
  text: string;
}

export interface InspectionNoteRequest {
  text: string;
  /** The moment it is about, ISO 8601; default: now. */
  at?: string;
}

/** A region's rule: whether a lesson's classrooms and teacher see 巡课中 while it is watched. */
export interface InspectionPolicyView {
  regionCode: string;
  regionName: string;
  showNotice: boolean;
  /** The region whose rule applies (this one, or one above it); null: none set, not shown. */
  setBy: string | null;
}

/** Answer of `watch:join`: what a receive-only watcher needs to receive the lesson. */
export interface WatchJoinResult {
  lesson: LessonSummary;
  peerId: string;
  routerRtpCapabilities: Json;
  /** The watcher's receive transport (it gets no send transport). */
  transport: TransportOptions;
  /** The participants now (to name what is received). */
  peers: PeerInfo[];
  /** What the watcher may consume now: the teacher's camera alone on a wall tile. */
  producers: ProducerInfo[];
  /** Whether the lesson's classrooms are shown 巡课中 (the region's rule). */
  notice: boolean;
}

/** How a lesson is watched: a wall tile (the teacher's camera at the lowest layer) or opened. */
export type WatchMode = 'tile' | 'full';
