import type { UserView } from '../../../server/contract/api.ts';
import type {
  InspectionPolicyView,
  WallFacet,
  WallPage,
  WallTile,
} from '../../../server/contract/inspection.ts';
import { api } from '../api.ts';
import { t, timeOfDay } from '../i18n.ts';
import type { MessageKey } from '../i18n.ts';
import { peerQuality } from '../media/linkQuality.ts';
import type { LinkQuality } from '../media/linkQuality.ts';
import { Watcher } from '../inspection/Watcher.ts';
import { watchPage } from '../inspection/watchView.ts';
import { putJson } from '../library/recordingBadge.ts';
import { fill } from '../research/format.ts';
import { h, mount } from '../ui/dom.ts';
import { tr } from '../ui/text.ts';
import { topbar } from '../ui/topbar.ts';
import '../inspection/inspection.css';

/** The wall is read again this often, ms (lessons start and end, classrooms come and go). */
const REFRESH_MS = 10_000;

const QUALITY_LABEL: Record<LinkQuality, MessageKey> = {
  good: 'linkGood',
  constrained: 'linkConstrained',
  bad: 'linkBad',
  offline: 'linkOffline',
};

/** What the wall shows: the filters, the page, and the last page read. */
interface WallState {
  county: string;
  subject: string;
  schoolId: string;
  page: number;
  data: WallPage | null;
  error: string | null;
}

/**
 * The wall of live lessons (巡课, /inspection): the lessons live now in the viewer's scope, 16
 * a page, filtered by county, subject and school; each tile the teacher's camera at the
 * lowest layer (silent), its classrooms with their link and attendance so far. A tile opens
 * the lesson to watch and listen (/inspection?lesson=<id>), unseen by the lesson.
 */
export function inspectionPage(root: HTMLElement, user: UserView): void {
  const lessonId = new URLSearchParams(location.search).get('lesson');
  if (lessonId) return watchPage(root, user, lessonId);

  const state: WallState = { county: '', subject: '', schoolId: '', page: 1, data: null, error: null };
  const controls = {
    county: h('select', { name: 'county', 'data-testid': 'wall-county' }),
    subject: h('select', { name: 'subject', 'data-testid': 'wall-subject' }),
    schoolId: h('select', { name: 'schoolId', 'data-testid': 'wall-school' }),
  };
  const summary = h('p', { class: 'wall-summary', role: 'status', 'data-testid': 'wall-summary' });
  const prev = h('button', { class: 'btn', type: 'button', 'data-testid': 'wall-prev' }, tr('pagePrev'));
  const nextPage = h('button', { class: 'btn', type: 'button', 'data-testid': 'wall-next' }, tr('pageNext'));
  const grid = h('div', { class: 'wall-grid', 'data-testid': 'wall-grid' });
  const filters = h(
    'form',
    { class: 'wall-filters' },
    ...(Object.entries(controls) as [keyof typeof controls, HTMLSelectElement][]).map(([key, select]) =>
      h('label', {}, tr(FILTER_LABEL[key]), select),
    ),
    h('span', { class: 'wall-pager' }, prev, nextPage),
    h(
      'a',
      { class: 'btn btn-ghost', href: '/evaluations', 'data-testid': 'evaluations-link' },
      tr('evalTitle'),
    ),
  );
  const notice = noticeSwitch(user);
  mount(
    root,
    topbar('inspection', null, user.realName),
    h('main', { class: 'wall' }, filters, notice.el, summary, grid),
  );

  /** Tiles on screen by lesson id, each with its watcher (the teacher's camera). */
  const tiles = new Map<string, { el: HTMLElement; watcher: Watcher; render: (tile: WallTile) => void }>();

  const load = async (): Promise<void> => {
    const query = new URLSearchParams({ page: String(state.page) });
    if (state.county) query.set('county', state.county);
    if (state.subject) query.set('subject', state.subject);
    if (state.schoolId) query.set('schoolId', state.schoolId);
    try {
      state.data = await api.get<WallPage>(`/api/inspection/live?${query.toString()}`);
      state.page = state.data.page;
      state.error = null;
    } catch (error) {
      state.error = error instanceof Error ? error.message : String(error);
    }
    render();
  };

  const render = (): void => {
    const data = state.data;
    if (state.error) summary.textContent = state.error;
    if (!data) return;
    fillFacet(controls.county, data.facets.counties, state.county, 'wallAllCounties');
    fillFacet(controls.subject, data.facets.subjects, state.subject, 'wallAllSubjects');
    fillFacet(controls.schoolId, data.facets.schools, state.schoolId, 'wallAllSchools');
    const pages = Math.max(1, Math.ceil(data.total / data.pageSize));
    if (!state.error)
      summary.textContent = fill('wallSummary', {
        n: data.total,
        page: data.page,
        pages,
        at: timeOfDay(data.at),
      });
    prev.disabled = data.page <= 1;
    nextPage.disabled = data.page >= pages;
    const shown = new Set(data.tiles.map((tile) => tile.id));
    for (const [id, tile] of tiles) {
      if (shown.has(id)) continue;
      tile.watcher.close();
      tile.el.remove();
      tiles.delete(id);
    }
    if (!data.tiles.length) grid.replaceChildren(h('p', { class: 'wall-empty' }, tr('wallEmpty')));
    else grid.querySelector('.wall-empty')?.remove();
    for (const tile of data.tiles) {
      let entry = tiles.get(tile.id);
      if (!entry) {
        entry = tileView(tile);
        tiles.set(tile.id, entry);
      }
      entry.render(tile);
      grid.append(entry.el);
    }
  };

  for (const [key, select] of Object.entries(controls) as [keyof typeof controls, HTMLSelectElement][]) {
    select.addEventListener('change', () => {
      state[key] = select.value;
      state.page = 1;
      if (key === 'county') notice.show(select.value);
      void load();
    });
  }
  prev.addEventListener('click', () => {
    state.page = Math.max(1, state.page - 1);
    void load();
  });
  nextPage.addEventListener('click', () => {
    state.page += 1;
    void load();
  });
  const timer = window.setInterval(() => void load(), REFRESH_MS);
  window.addEventListener('pagehide', () => {
    window.clearInterval(timer);
    for (const tile of tiles.values()) tile.watcher.close();
  });
  void load();
}

/**
 * A bureau's (or an admin's) switch of a county's rule: whether the classrooms of a watched
 * lesson there see 巡课中. Shown once a county is chosen; a county without its own rule says
 * whose it follows.
 */
function noticeSwitch(user: UserView): { el: HTMLElement; show: (county: string) => void } {
  const box = h('input', { type: 'checkbox', 'data-testid': 'wall-notice' });
  const from = h('span', { class: 'wall-notice-from' });
  const el = h('label', { class: 'wall-notice', hidden: true }, box, tr('wallNotice'), from);
  let county = '';
  const render = (policy: InspectionPolicyView): void => {
    box.checked = policy.showNotice;
    from.textContent =
      policy.setBy && policy.setBy !== policy.regionCode
        ? ` ${fill('wallNoticeFrom', { code: policy.setBy })}`
        : '';
  };
  box.addEventListener('change', () => {
    box.disabled = true;
    putJson<InspectionPolicyView>(`/api/inspection/regions/${county}/policy`, { showNotice: box.checked })
      .then(render)
      .catch((error: unknown) => (from.textContent = error instanceof Error ? error.message : String(error)))
      .finally(() => (box.disabled = false));
  });
  return {
    el,
    show(next) {
      county = next;
      el.hidden = !next || !['admin', 'bureau'].includes(user.role);
      if (el.hidden) return;
      api
        .get<InspectionPolicyView>(`/api/inspection/regions/${next}/policy`)
        .then(render, () => (el.hidden = true));
    },
  };
}

const FILTER_LABEL = { county: 'wallCounty', subject: 'wallSubject', schoolId: 'wallSchool' } as const;

/** Refills a filter's options (keeping the choice), "all" first. */
function fillFacet(select: HTMLSelectElement, facets: WallFacet[], chosen: string, all: MessageKey): void {
  const options = [
    h('option', { value: '' }, t(all)),
    ...facets.map((f) => h('option', { value: f.value }, `${f.label} (${f.count})`)),
  ];
  if (chosen && !facets.some((f) => f.value === chosen))
    options.push(h('option', { value: chosen }, `${chosen} (0)`));
  select.replaceChildren(...options);
  select.value = chosen;
}

/** One lesson's tile: the teacher's camera (silent, lowest layer), its line, its classrooms. */
function tileView(first: WallTile): {
  el: HTMLElement;
  watcher: Watcher;
  render: (tile: WallTile) => void;
} {
  const video = h('video', { autoplay: true, muted: true, playsinline: true, 'data-testid': 'wall-video' });
  video.muted = true;
  const status = h(
    'span',
    { class: 'wall-media-state', 'data-testid': 'wall-media-state' },
    tr('wallJoining'),
  );
  const title = h('div', { class: 'wall-title' });
  const meta = h('div', { class: 'wall-meta' });
  const rooms = h('ul', { class: 'wall-rooms', 'data-testid': 'wall-rooms' });
  const open = h(
    'a',
    {
      class: 'btn btn-primary wall-open',
      href: `/inspection?lesson=${first.id}`,
      'data-testid': 'wall-open',
    },
    tr('wallOpen'),
  );
  const el = h(
    'article',
    { class: 'wall-tile', 'data-testid': 'wall-tile', 'data-lesson': first.id, 'data-media': 'joining' },
    h('div', { class: 'wall-picture' }, video, status),
    title,
    meta,
    rooms,
    open,
  );
  const watcher = new Watcher(first.id, 'tile');
  watcher.on('track', ({ kind, track }) => {
    if (kind === 'video') video.srcObject = new MediaStream([track]);
  });
  watcher.on('trackended', () => {
    if (
      video.srcObject instanceof MediaStream &&
      video.srcObject.getTracks().every((x) => x.readyState === 'ended')
    )
      video.srcObject = null;
  });
  watcher.on('state', (s) => {
    el.dataset['media'] = s;
    status.replaceChildren(tr(MEDIA_LABEL[s]));
    status.hidden = s === 'watching';
  });
  const render = (tile: WallTile): void => {
    title.textContent = `${tile.subject} · ${tile.title}`;
    const connected = tile.classrooms.filter((c) => c.connected).length;
    meta.textContent = `${tile.teacherName} · ${tile.hubSchoolName} · ${tile.countyName} · ${fill(
      'wallConnected',
      {
        n: connected,
        m: tile.classrooms.length,
      },
    )}`;
    rooms.replaceChildren(
      ...tile.classrooms.map((c) => {
        const quality = c.connected ? peerQuality(c.link) : 'offline';
        return h(
          'li',
          { class: `wall-room q-${quality}`, 'data-quality': quality, title: t(QUALITY_LABEL[quality]) },
          h('span', { class: 'wall-room-name' }, `${c.schoolName} ${c.name}`),
          h(
            'span',
            { class: 'wall-room-figures' },
            fill('wallAttendance', {
              min: Math.round(c.connectedSeconds / 60),
              count: c.headcount ?? '–',
              size: c.classSize,
            }),
          ),
        );
      }),
    );
  };
  return { el, watcher, render };
}

const MEDIA_LABEL = {
  joining: 'wallJoining',
  watching: 'wallJoining',
  waiting: 'wallWaiting',
  ended: 'stateEnded',
  failed: 'wallWaiting',
} as const satisfies Record<string, MessageKey>;
