import { describe, expect, it } from 'vitest';
import {
  drillDown,
  figuresFor,
  monthPeriod,
  periodContaining,
  sumFigures,
  termPeriod,
} from '../../scheduler/delivery/index.ts';
import type { FigureData, ResearchData } from '../../scheduler/delivery/index.ts';

const MARCH = monthPeriod(2026, 3);
const at = (day: number, month = 3): number => Date.UTC(2026, month - 1, day, 7);

/** Hunan → 长沙市, 常德市 → 桃源县, 安乡县; a hub and two village schools in 桃源县, one in 安乡县. */
const BASE: FigureData = Object.freeze<FigureData>({
  regions: [
    { code: '430000', name: '湖南省', level: 'province', parentCode: null },
    { code: '430100', name: '长沙市', level: 'city', parentCode: '430000' },
    { code: '430700', name: '常德市', level: 'city', parentCode: '430000' },
    { code: '430725', name: '桃源县', level: 'county', parentCode: '430700' },
    { code: '430721', name: '安乡县', level: 'county', parentCode: '430700' },
  ],
  clusters: [],
  schools: [
    { id: 'hub', regionCode: '430725', kind: 'hub' },
    { id: 'v1', regionCode: '430725', kind: 'rural' },
    { id: 'v2', regionCode: '430725', kind: 'teaching_point' },
    { id: 'a1', regionCode: '430721', kind: 'rural' },
  ],
  offerings: [],
  sessions: [],
});

const RESEARCH: ResearchData = Object.freeze<ResearchData>({
  alliances: [
    { id: 'p', level: 'province', regionCode: '430000' },
    { id: 'c', level: 'city', regionCode: '430700' },
    { id: 'k1', level: 'county', regionCode: '430725' },
    { id: 'k2', level: 'county', regionCode: '430721' },
    { id: 'cs', level: 'city', regionCode: '430100' },
  ],
  sessions: [
    { id: 's1', allianceId: 'k1', scheduledStart: at(3), held: true },
    { id: 's2', allianceId: 'k1', scheduledStart: at(20), held: false },
    { id: 's3', allianceId: 'c', scheduledStart: at(10), held: true },
    // April: outside the period.
    { id: 's4', allianceId: 'k2', scheduledStart: at(2, 4), held: true },
    { id: 's5', allianceId: 'p', scheduledStart: at(12), held: true },
  ],
  teachers: [
    // A hub teacher is not a rural teacher, whatever it joins.
    { teacherId: 'th', schoolId: 'hub', tookPart: true },
    { teacherId: 't1', schoolId: 'v1', tookPart: true },
    { teacherId: 't2', schoolId: 'v1', tookPart: false },
    { teacherId: 't3', schoolId: 'v2', tookPart: false },
    { teacherId: 't4', schoolId: 'a1', tookPart: true },
  ],
});
const DATA: FigureData = { ...BASE, research: RESEARCH };

describe('网络教研 figures', () => {
  it('counts a province: alliances by level, sessions scheduled and held in the period, rural teachers taking part', () => {
    expect(figuresFor({ kind: 'region', code: '430000' }, DATA, MARCH).research).toEqual({
      alliances: { province: 1, city: 2, county: 2 },
      sessionsPlanned: 4,
      sessionsHeld: 3,
      ruralTeachers: 4,
      ruralTeachersTakingPart: 2,
    });
  });

  it('counts a county its own alliances and teachers only', () => {
    expect(figuresFor({ kind: 'region', code: '430725' }, DATA, MARCH).research).toEqual({
      alliances: { province: 0, city: 0, county: 1 },
      sessionsPlanned: 2,
      sessionsHeld: 1,
      ruralTeachers: 3,
      ruralTeachersTakingPart: 1,
    });
  });

  it('a city’s rows add up to its total, but for the alliances organized at the city itself (no row)', () => {
    const city = drillDown({ kind: 'region', code: '430700' }, DATA, MARCH);
    const rows = sumFigures(city.rows.map((r) => r.figures)).research!;
    expect(city.total.research).toEqual({
      alliances: { province: 0, city: 1, county: 2 },
      sessionsPlanned: 3,
      sessionsHeld: 2,
      ruralTeachers: 4,
      ruralTeachersTakingPart: 2,
    });
    expect(rows).toEqual({
      alliances: { province: 0, city: 0, county: 2 },
      sessionsPlanned: 2,
      sessionsHeld: 1,
      ruralTeachers: 4,
      ruralTeachersTakingPart: 2,
    });
    // Every row carries the block, zero where nothing counts.
    expect(city.rows.every((r) => r.figures.research !== undefined)).toBe(true);
  });

  it('without research rows the figures have no research block; a cluster counts none', () => {
    expect(figuresFor({ kind: 'region', code: '430000' }, BASE, MARCH).research).toBeUndefined();
    const withCluster: FigureData = {
      ...DATA,
      clusters: [
        { id: 'x', level: 'county', regionCode: '430725', memberSchoolIds: ['v1'], hubSchoolIds: ['hub'] },
      ],
    };
    expect(figuresFor({ kind: 'cluster', id: 'x' }, withCluster, MARCH).research?.alliances).toEqual({
      province: 0,
      city: 0,
      county: 0,
    });
  });

  it('a term is the half-year from August or February (China time), so the share is counted per term', () => {
    const autumn = termPeriod(2026, 1);
    expect(autumn).toEqual({ from: Date.UTC(2026, 6, 31, 16), to: Date.UTC(2027, 0, 31, 16) });
    expect(periodContaining('term', Date.UTC(2026, 11, 7))).toEqual(autumn);
    expect(periodContaining('term', Date.UTC(2027, 0, 20))).toEqual(autumn);
    expect(periodContaining('term', Date.UTC(2027, 2, 1))).toEqual(termPeriod(2026, 2));
    expect(termPeriod(2026, 2).to).toBe(Date.UTC(2027, 6, 31, 16));
    expect(() => termPeriod(2026, 3)).toThrow(TypeError);
    // The March sessions fall in the spring term of 2025-2026: the same counts as the month's.
    expect(
      figuresFor({ kind: 'region', code: '430725' }, DATA, termPeriod(2025, 2)).research?.sessionsHeld,
    ).toBe(1);
  });
});
