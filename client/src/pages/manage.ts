import type { UserView } from '../../../server/contract/api.ts';
import { onLangChange } from '../i18n.ts';
import { alliancesPanel } from '../manage/alliances.ts';
import { auditPanel } from '../manage/audit.ts';
import { bellsPanel } from '../manage/bells.ts';
import { schoolCoPlanPanel } from '../manage/coplanSchool.ts';
import { dashboardPanel } from '../manage/dashboard.ts';
import { importPanel } from '../manage/imports.ts';
import { m } from '../manage/messages.ts';
import { timetablePanel } from '../manage/timetable.ts';
import { overviewPanel } from '../manage/overview.ts';
import { RESOURCES, label } from '../manage/fields.ts';
import { ResourcePanel } from '../manage/ResourcePanel.ts';
import { rubricsPanel } from '../manage/rubrics.ts';
import { may } from '../manage/access.ts';
import { h, mount } from '../ui/dom.ts';
import { tr } from '../ui/text.ts';
import { topbar } from '../ui/topbar.ts';

interface Section {
  id: string;
  title: () => string;
  render: () => Promise<HTMLElement>;
}

/**
 * Cluster management for coordinators, bureaus and admins: the cluster at a glance, the
 * schools, classrooms, classes, accounts and bells of their scope, Excel import/export,
 * and (bureaus, admins) the audit log.
 */
export function managePage(root: HTMLElement, user: UserView): void {
  // A school's timetabler keeps its own week and decides its part of co-plans; nothing else.
  const schoolSections: Section[] = [
    { id: 'coplan', title: () => m('sectionCoplan'), render: () => schoolCoPlanPanel(user) },
  ];
  // 听课评课 rubrics and 网络教研 alliances: for whoever the server lets read them.
  const researchSections: Section[] = [
    ...(may(user.role, 'alliances', 'read')
      ? [{ id: 'alliances', title: () => m('sectionAlliances'), render: () => alliancesPanel(user) }]
      : []),
    ...(may(user.role, 'rubrics', 'read')
      ? [{ id: 'rubrics', title: () => m('sectionRubrics'), render: () => rubricsPanel(user) }]
      : []),
  ];
  const sections: Section[] =
    user.role === 'school'
      ? schoolSections
      : user.role === 'teacher' || user.role === 'inspector'
        ? researchSections
        : [
            { id: 'overview', title: () => m('sectionOverview'), render: overviewPanel },
            { id: 'dashboard', title: () => m('sectionFigures'), render: dashboardPanel },
            ...RESOURCES.map((view) => ({
              id: view.name,
              title: () => label(view),
              render: async () => {
                const panel = new ResourcePanel(view);
                await panel.load();
                return panel.el;
              },
            })),
            { id: 'timetable', title: () => m('sectionTimetable'), render: timetablePanel },
            { id: 'bells', title: () => m('sectionBells'), render: bellsPanel },
            { id: 'import', title: () => m('sectionImport'), render: importPanel },
            ...researchSections,
            ...(user.role === 'coordinator'
              ? []
              : [{ id: 'audit', title: () => m('auditLog'), render: auditPanel }]),
          ];
  const nav = h('nav', { class: 'side-nav' });
  const main = h('main', { class: 'manage-main' });
  /** The last section asked for: a slower one asked for before it must not replace it. */
  let shown = 0;
  const show = async (id: string): Promise<void> => {
    const asked = ++shown;
    const section = sections.find((s) => s.id === id) ?? sections[0]!;
    history.replaceState(null, '', `#${section.id}`);
    for (const a of nav.querySelectorAll('a'))
      a.classList.toggle('active', a.dataset['section'] === section.id);
    mount(main, h('progress'));
    let view: Node;
    try {
      view = await section.render();
    } catch (error) {
      view = h('p', { class: 'form-error' }, error instanceof Error ? error.message : String(error));
    }
    if (asked === shown) mount(main, view);
  };
  const renderNav = (): void =>
    mount(
      nav,
      ...sections.map((s) =>
        h(
          'a',
          {
            href: `#${s.id}`,
            'data-section': s.id,
            onclick: (e: Event) => (e.preventDefault(), void show(s.id)),
          },
          s.title(),
        ),
      ),
      h('a', { href: '/library', 'data-testid': 'library-link' }, tr('libraryLink')),
      user.role === 'teacher'
        ? null
        : h('a', { href: '/inspection', 'data-testid': 'inspection-link' }, tr('inspection')),
      h('a', { href: '/evaluations', 'data-testid': 'evaluations-link' }, tr('evalTitle')),
      h('a', { href: '/research', 'data-testid': 'research-link' }, tr('researchTitle')),
    );
  renderNav();
  mount(root, topbar('manage', null, user.realName), h('div', { class: 'manage' }, nav, main));
  onLangChange(() => {
    renderNav();
    void show(location.hash.slice(1));
  });
  void show(location.hash.slice(1));
}
