import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { stubBrowserLanguage } from '../helpers/browserLanguage.ts';
import type * as I18n from '../../client/src/i18n.ts';

stubBrowserLanguage();

let i18n: typeof I18n;
beforeAll(async () => {
  i18n = await import('../../client/src/i18n.ts');
});
beforeEach(() => i18n.setLang('zh'));

describe('one translation path', () => {
  it('t() fills {name} placeholders and leaves unknown ones as they are', () => {
    expect(i18n.t('researchAllianceTarget', { level: '县级', n: 3, m: 1300 })).toBe(
      i18n.t('researchAllianceTarget').replace('{level}', '县级').replace('{n}', '3').replace('{m}', '1300'),
    );
    expect(i18n.t('researchAllianceTarget', { n: 3 })).toContain('{level}');
    i18n.setLang('en');
    expect(i18n.t('researchAllianceTarget', { level: 'County', n: 3, m: 1300 })).toBe(
      'County alliances 3 / target 1300',
    );
  });

  it('a page table answers in the current language, with variables', () => {
    const m = i18n.messages({ done: ['已排 {n} 节', '{n} placed'] });
    expect(m('done', { n: 4 })).toBe('已排 4 节');
    i18n.setLang('en');
    expect(m('done', { n: 4 })).toBe('4 placed');
    expect(document.documentElement.lang).toBe('en-GB');
  });
});

describe('dates and month names follow the language (Intl.DateTimeFormat)', () => {
  it('names a month in Chinese or English (English used to show "2026年12月")', () => {
    expect(i18n.monthOfYear('2026-12-01')).toBe('2026年12月');
    i18n.setLang('en');
    expect(i18n.monthOfYear('2026-12-01')).toBe('December 2026');
    expect(i18n.monthName('2026-08-01', 5)).toBe('Jan');
  });

  it('names weekdays 1 = Monday … 7 = Sunday', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map(i18n.weekdayName)).toEqual([
      '周一',
      '周二',
      '周三',
      '周四',
      '周五',
      '周六',
      '周日',
    ]);
    i18n.setLang('en');
    expect([1, 7].map(i18n.weekdayName)).toEqual(['Mon', 'Sun']);
  });

  it('formats an instant with the chosen locale', () => {
    const at = Date.UTC(2026, 11, 7, 2, 5);
    expect(i18n.dateTime(at)).toBe(new Date(at).toLocaleString('zh-CN'));
    i18n.setLang('en');
    expect(i18n.dateTime(at)).toBe(new Date(at).toLocaleString('en-GB'));
  });
});

describe('a recording’s description in the library', () => {
  it('names a research session (no grade, no cluster) by 教研活动 and its alliance, in both languages, never "null年级"', async () => {
    const { recordingOrigin } = await import('../../client/src/library/origin.ts');
    const research = {
      kind: 'research',
      grade: null,
      clusterName: '',
      allianceName: '桃源县英语名师联盟',
    } as const;
    expect(recordingOrigin(research)).toEqual(['教研活动', '桃源县英语名师联盟']);
    expect(recordingOrigin({ ...research, allianceName: '' })).toEqual(['教研活动']);
    expect(
      recordingOrigin({ kind: 'lesson', grade: 4, clusterName: '桃源联校群', allianceName: null }),
    ).toEqual(['4 年级', '桃源联校群']);
    expect(
      recordingOrigin({ kind: 'lesson', grade: null, clusterName: '桃源联校群', allianceName: null }),
    ).toEqual(['桃源联校群']);
    i18n.setLang('en');
    expect(recordingOrigin(research)).toEqual(['Research session', '桃源县英语名师联盟']);
    expect(recordingOrigin({ kind: 'lesson', grade: 4, clusterName: 'C', allianceName: null })).toEqual([
      'Grade 4',
      'C',
    ]);
  });
});
