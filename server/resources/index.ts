import type { Models } from '../models/index.ts';
import { bellSchedulesSpec, regionsSpec, termCalendarsSpec } from './calendars.ts';
import { classesSpec } from './classes.ts';
import { classroomsSpec } from './classrooms.ts';
import { clustersSpec } from './clusters.ts';
import { offeringsSpec } from './offerings.ts';
import { alliancesSpec } from './alliances.ts';
import { researchSessionsSpec } from './researchSessions.ts';
import { rubricsSpec } from './rubrics.ts';
import type { ResourceSpec } from './Resource.ts';
import { schoolsSpec } from './schools.ts';
import { usersSpec } from './users.ts';

/** Every REST resource of the management API. */
export function allResources(models: Models): ResourceSpec[] {
  return [
    regionsSpec(models),
    clustersSpec(models),
    schoolsSpec(models),
    classroomsSpec(models),
    classesSpec(models),
    usersSpec(models),
    offeringsSpec(models),
    bellSchedulesSpec(models),
    termCalendarsSpec(models),
    rubricsSpec(models),
    alliancesSpec(models),
    researchSessionsSpec(models),
  ];
}
