import type { Row } from '../api.ts';
import { bellsName, personName } from '../i18n.ts';
import { m } from './resources/messages.ts';
import type { ResourceWord } from './resources/messages.ts';

/** How a field of a record is shown in a table and edited in a form. */
export interface Field {
  key: string;
  /** Its label, a word of the resources' message table. */
  label: ResourceWord;
  type: 'text' | 'number' | 'boolean' | 'enum' | 'ref' | 'refs' | 'list' | 'periods' | 'password';
  /** enum: value → its label's word. */
  options?: Record<string, ResourceWord>;
  /** ref/refs: the resource the id points to, and the field shown for it. */
  ref?: { resource: string; label: (row: Row) => string };
  required?: boolean;
  /** Shown in the table (else only in the form). @default true */
  column?: boolean;
  /** Only when creating (an initial password). */
  createOnly?: boolean;
  /**
   * How a text field reads in the table when the platform may have named the record itself
   * (its default name shown in the interface language); `ref` finds a row of a `ref` field's resource.
   */
  shown?: (value: string, row: Row, ref: (resource: string, id: unknown) => Row | undefined) => string;
}

/** A field's or a resource's label, in the interface language. */
export const label = (of: { label: ResourceWord }): string => m(of.label);

/** An enum value's label in the interface language (the value itself when it has none). */
export const optionLabel = (f: Field, value: string): string => {
  const word = f.options?.[value];
  return word ? m(word) : value;
};

const schoolRef = { resource: 'schools', label: (r: Row) => String(r['name']) };

/** One managed resource: its API name, title and fields. */
export interface ResourceView {
  name: string;
  /** Its title, a word of the resources' message table. */
  label: ResourceWord;
  fields: Field[];
  /** Whether a row offers device enrolment (classroom device accounts). */
  devices?: (row: Record<string, unknown>) => boolean;
}

export const RESOURCES: ResourceView[] = [
  {
    name: 'schools',
    label: 'schools',
    fields: [
      { key: 'name', label: 'schoolName', type: 'text', required: true },
      { key: 'regionCode', label: 'regionCode', type: 'text', required: true },
      {
        key: 'kind',
        label: 'kind',
        type: 'enum',
        options: { hub: 'kind_hub', rural: 'kind_rural', teaching_point: 'kind_teaching_point' },
        required: true,
      },
      { key: 'downlinkMbps', label: 'downlinkMbps', type: 'number', required: true },
      { key: 'uplinkMbps', label: 'uplinkMbps', type: 'number', required: true },
    ],
  },
  {
    name: 'classrooms',
    label: 'classrooms',
    fields: [
      { key: 'schoolId', label: 'school', type: 'ref', ref: schoolRef, required: true },
      { key: 'name', label: 'classroomName', type: 'text', required: true },
      {
        key: 'kind',
        label: 'kind',
        type: 'enum',
        options: { recording: 'kind_recording', receiving: 'kind_receiving' },
        required: true,
      },
      { key: 'hasWhiteboard', label: 'hasWhiteboard', type: 'boolean' },
    ],
  },
  {
    name: 'classes',
    label: 'classes',
    fields: [
      { key: 'schoolId', label: 'school', type: 'ref', ref: schoolRef, required: true },
      { key: 'grade', label: 'grade', type: 'number', required: true },
      { key: 'name', label: 'className', type: 'text', required: true },
      { key: 'size', label: 'size', type: 'number', required: true },
    ],
  },
  {
    name: 'users',
    label: 'users',
    devices: (row) => row['role'] === 'classroom',
    fields: [
      { key: 'username', label: 'username', type: 'text', required: true },
      { key: 'realName', label: 'realName', type: 'text', required: true, shown: personName },
      {
        key: 'role',
        label: 'role',
        type: 'enum',
        required: true,
        options: {
          teacher: 'role_teacher',
          classroom: 'role_classroom',
          assistant: 'role_assistant',
          school: 'role_school',
          coordinator: 'role_coordinator',
          bureau: 'role_bureau',
          inspector: 'role_inspector',
          admin: 'role_admin',
        },
      },
      { key: 'schoolId', label: 'school', type: 'ref', ref: schoolRef },
      { key: 'subjects', label: 'subjects', type: 'list' },
      { key: 'phone', label: 'phone', type: 'text', column: false },
      {
        key: 'initialPassword',
        label: 'initialPassword',
        type: 'password',
        column: false,
        createOnly: true,
        required: true,
      },
    ],
  },
  {
    name: 'bell-schedules',
    label: 'bellSchedules',
    fields: [
      { key: 'schoolId', label: 'school', type: 'ref', ref: schoolRef, required: true },
      {
        key: 'name',
        label: 'name',
        type: 'text',
        required: true,
        shown: (name, row, ref) => {
          const school = ref('schools', row['schoolId']);
          return bellsName(name, school ? String(school['name']) : undefined);
        },
      },
      { key: 'periods', label: 'periods', type: 'periods', required: true },
    ],
  },
  {
    name: 'clusters',
    label: 'clusters',
    fields: [
      { key: 'name', label: 'name', type: 'text', required: true },
      {
        key: 'level',
        label: 'level',
        type: 'enum',
        options: { province: 'level_province', city: 'level_city', county: 'level_county' },
        required: true,
      },
      {
        key: 'mode',
        label: 'mode',
        type: 'enum',
        options: { '1+N': 'mode_1N', 'N+N': 'mode_NN' },
        required: true,
      },
      { key: 'regionCode', label: 'regionCode', type: 'text', required: true },
      { key: 'hubSchoolIds', label: 'hubSchools', type: 'refs', ref: schoolRef, required: true },
      { key: 'memberSchoolIds', label: 'memberSchools', type: 'refs', ref: schoolRef },
    ],
  },
];
