import { api } from '../api.ts';
import type { Row } from '../api.ts';
import { m } from './messages.ts';
import { h, mount } from '../ui/dom.ts';

/** Link health a school can give remote lessons: 4–6 Mbit/s is thin, 10+ comfortable. */
function linkClass(mbps: number): string {
  return mbps >= 10 ? 'good' : mbps >= 6 ? 'constrained' : 'bad';
}

/** The coordinator's clusters at a glance: hub, members, classrooms and each school's link. */
export async function overviewPanel(): Promise<HTMLElement> {
  const [clusters, schools, classrooms] = await Promise.all([
    api.list('clusters', { pageSize: 200 }),
    api.list('schools', { pageSize: 200 }),
    api.list('classrooms', { pageSize: 200 }),
  ]);
  const school = (id: string): Row | undefined => schools.items.find((s) => s.id === id);
  const roomsOf = (id: string): Row[] => classrooms.items.filter((c) => c['schoolId'] === id);
  const maxMbps = Math.max(10, ...schools.items.map((s) => Number(s['downlinkMbps'])));
  const schoolCard = (id: string, hub: boolean): HTMLElement => {
    const s = school(id);
    if (!s) return h('div', { class: 'school-card' }, id);
    const down = Number(s['downlinkMbps']);
    return h(
      'div',
      { class: `school-card${hub ? ' hub' : ''}`, 'data-testid': 'school-card' },
      h('strong', {}, String(s['name'])),
      h(
        'small',
        {},
        `${hub ? m('hub') : m('receiving')} · ${
          roomsOf(id)
            .map((r) => String(r['name']))
            .join(m('listSeparator')) || m('noClassroom')
        }`,
      ),
      h(
        'div',
        { class: 'bar', title: `${down} Mbit/s` },
        h('span', {
          class: `fill ${linkClass(down)}`,
          style: `width:${Math.round((100 * Math.min(down, maxMbps)) / maxMbps)}%`,
        }),
      ),
      h('small', {}, `↓ ${down} Mbit/s · ↑ ${String(s['uplinkMbps'])} Mbit/s`),
    );
  };
  const el = h('section', { class: 'panel' });
  mount(
    el,
    h('div', { class: 'panel-head' }, h('h2', {}, m('overviewTitle'))),
    ...(clusters.items.length
      ? clusters.items.map((c) =>
          h(
            'article',
            { class: 'cluster', 'data-testid': 'cluster-card' },
            h(
              'h3',
              {},
              String(c['name']),
              h('span', { class: 'muted' }, ` · ${String(c['mode'])} · ${String(c['regionCode'])}`),
            ),
            h(
              'div',
              { class: 'cluster-schools' },
              ...(c['hubSchoolIds'] as string[]).map((id) => schoolCard(id, true)),
              ...(c['memberSchoolIds'] as string[]).map((id) => schoolCard(id, false)),
            ),
          ),
        )
      : [h('p', { class: 'muted' }, m('noCluster'))]),
  );
  return el;
}
