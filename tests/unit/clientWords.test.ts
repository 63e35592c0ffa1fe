import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { stubBrowserLanguage } from '../helpers/browserLanguage.ts';
import { ERROR_CODES } from '../../server/contract/errors.ts';
import type * as I18n from '../../client/src/i18n.ts';

stubBrowserLanguage();

const HAN = /\p{Script=Han}/u;

let i18n: typeof I18n;
beforeAll(async () => {
  i18n = await import('../../client/src/i18n.ts');
});
beforeEach(() => i18n.setLang('zh'));

describe('a refusal the server did not word for people', () => {
  it('reads in Chinese by its code in Chinese mode, for every code; English mode shows its message', () => {
    for (const code of ERROR_CODES) {
      i18n.setLang('zh');
      const zh = i18n.refusalWords({ message: 'lesson not found', code });
      expect(zh, code).toMatch(HAN);
      expect(zh, code).not.toMatch(/[a-z]{3}/);
      i18n.setLang('en');
      expect(i18n.refusalWords({ message: 'lesson not found', code })).toBe('lesson not found');
    }
  });

  it('a fault quotes its request id; words the server wrote win in both languages', () => {
    expect(i18n.refusalWords({ message: 'internal error', code: 'INTERNAL', requestId: 'r-1' })).toContain(
      'r-1',
    );
    const text = { zh: '方案已经应用', en: 'the plan is already applied' };
    expect(i18n.refusalWords({ message: 'x', code: 'CONFLICT', text })).toBe('方案已经应用');
    i18n.setLang('en');
    expect(i18n.refusalWords({ message: 'x', code: 'CONFLICT', text })).toBe('the plan is already applied');
  });

  it('a field problem shows its text in the interface language, else its message', () => {
    const issue = { message: 'Too small', text: { zh: '数值过小', en: 'Too small' } };
    expect(i18n.issueWords(issue)).toBe('数值过小');
    expect(i18n.issueWords({ message: 'custom' })).toBe('custom');
    i18n.setLang('en');
    expect(i18n.issueWords(issue)).toBe('Too small');
  });
});

describe('the audit log', () => {
  it('names every action and the known kinds of record in the interface language; unknown kinds as stored', async () => {
    const { auditWord } = await import('../../client/src/manage/audit.ts');
    const actions = ['create', 'update', 'delete', 'import', 'login', 'logout'];
    const entities = ['schools', 'bell-schedules', 'coplans', 'local-timetables', 'recording', 'users'];
    for (const value of actions) expect(auditWord('action', value)).toMatch(HAN);
    for (const value of entities) expect(auditWord('entity', value)).toMatch(HAN);
    i18n.setLang('en');
    for (const value of actions) expect(auditWord('action', value)).not.toMatch(HAN);
    for (const value of entities) expect(auditWord('entity', value)).not.toMatch(HAN);
    expect(auditWord('entity', 'something-new')).toBe('something-new');
  });
});

describe('names the platform gave, names people typed', () => {
  it('the administrator the platform creates is named by its role in the interface language; a typed name stays', async () => {
    const { SYSTEM_ADMIN_NAME } = await import('../../server/contract/names.ts');
    expect(i18n.personName(SYSTEM_ADMIN_NAME)).toBe('系统管理员');
    expect(i18n.personName('王丽（英语）')).toBe('王丽（英语）');
    i18n.setLang('en');
    expect(i18n.personName(SYSTEM_ADMIN_NAME)).toBe('Administrator');
    expect(i18n.personName('王丽（英语）')).toBe('王丽（英语）');
  });

  it('a school’s default bell schedule reads "<school> bell schedule" in English; a renamed one stays as typed', async () => {
    const { defaultBellsName } = await import('../../server/contract/names.ts');
    const school = 'Taoyuan Primary';
    expect(i18n.bellsName(defaultBellsName(school), school)).toBe(defaultBellsName(school));
    i18n.setLang('en');
    expect(i18n.bellsName(defaultBellsName(school), school)).toBe('Taoyuan Primary bell schedule');
    expect(i18n.bellsName(defaultBellsName(school), school)).not.toMatch(HAN);
    expect(i18n.bellsName('冬季作息', school)).toBe('冬季作息');
    expect(i18n.bellsName(defaultBellsName(school), undefined)).toBe(defaultBellsName(school));
  });
});
