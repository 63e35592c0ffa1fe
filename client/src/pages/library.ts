import type { UserView } from '../../../server/contract/api.ts';
import type {
  ClusterStorage,
  LibraryFacets,
  LibraryListResponse,
  RecordingView,
} from '../../../server/contract/library.ts';
import { api } from '../api.ts';
import { dayAndTime, t } from '../i18n.ts';
import type { MessageKey } from '../i18n.ts';
import { putJson } from '../library/recordingBadge.ts';
import { recordingOrigin } from '../library/origin.ts';
import { recordingPlayer } from '../library/player.ts';
import { clock } from '../replay/timeline.ts';
import { h, mount } from '../ui/dom.ts';
import { tr } from '../ui/text.ts';
import { topbar } from '../ui/topbar.ts';
import '../library/library.css';

/** Recordings still changing (recording, composing) are read again this often, ms. */
const REFRESH_MS = 3000;
const MANAGERS = new Set(['admin', 'bureau', 'coordinator']);

/** Bytes as MB or GB. */
function size(bytes: number): string {
  return bytes >= 1024 ** 3 ? `${(bytes / 1024 ** 3).toFixed(2)} GB` : `${(bytes / 1024 ** 2).toFixed(1)} MB`;
}

/**
 * The library (资源库, /library): recorded lessons in the caller's scope, filtered by subject,
 * grade, teacher, cluster, school and date; each with its honest state (recording,
 * composing with progress, ready, failed, incomplete with its gaps); played beside its board
 * (/library?lesson=<id>); downloaded; deleted by managers; storage per cluster for managers.
 */
export function libraryPage(root: HTMLElement, user: UserView): void {
  const lessonId = new URLSearchParams(location.search).get('lesson');
  if (lessonId) return playerPage(root, user, lessonId);
  const filters = h('form', { class: 'lib-filters', 'data-testid': 'library-filters' });
  const list = h('div', { class: 'lib-list', 'data-testid': 'library-list' });
  const note = h('p', { class: 'lib-meta', role: 'status' });
  const storage = h('section', { class: 'lib-storage', hidden: true });
  mount(
    root,
    topbar('library', null, user.realName),
    h('main', { class: 'library' }, filters, note, list, storage),
  );

  const controls = {
    subject: h('select', { name: 'subject' }),
    grade: h('select', { name: 'grade' }),
    teacherId: h('select', { name: 'teacherId' }),
    clusterId: h('select', { name: 'clusterId' }),
    schoolId: h('select', { name: 'schoolId' }),
    from: h('input', { type: 'date', name: 'from' }),
    to: h('input', { type: 'date', name: 'to' }),
    q: h('input', { type: 'search', name: 'q', placeholder: t('libSearch') }),
  };
  const labels: Record<keyof typeof controls, MessageKey> = {
    subject: 'libFilterSubject',
    grade: 'libFilterGrade',
    teacherId: 'libFilterTeacher',
    clusterId: 'libFilterCluster',
    schoolId: 'libFilterSchool',
    from: 'libFilterFrom',
    to: 'libFilterTo',
    q: 'libSearch',
  };
  for (const [key, control] of Object.entries(controls) as [keyof typeof controls, HTMLElement][])
    filters.append(h('label', {}, tr(labels[key]), control));
  let facetsShown = false;
  let timer: ReturnType<typeof setTimeout> | null = null;

  const query = (): string => {
    const params = new URLSearchParams();
    for (const [key, control] of Object.entries(controls)) if (control.value) params.set(key, control.value);
    return params.toString();
  };
  const load = (): void => {
    if (timer) clearTimeout(timer);
    api.get<LibraryListResponse>(`/api/library/recordings?${query()}`).then(
      (res) => {
        if (!facetsShown) showFacets(controls, res.facets);
        facetsShown = true;
        list.replaceChildren(...res.recordings.map((r) => item(r, load)));
        note.textContent = res.recordings.length ? (res.truncated ? t('libTruncated') : '') : t('libEmpty');
        if (res.recordings.some((r) => r.state === 'recording' || r.state === 'composing'))
          timer = setTimeout(load, REFRESH_MS);
      },
      (error: Error) => (note.textContent = error.message),
    );
  };
  filters.addEventListener('change', load);
  filters.addEventListener('submit', (event) => {
    event.preventDefault();
    load();
  });
  load();
  if (MANAGERS.has(user.role)) showStorage(storage);
}

function showFacets(
  controls: Record<string, HTMLSelectElement | HTMLInputElement>,
  facets: LibraryFacets,
): void {
  const fill = (
    select: HTMLSelectElement | HTMLInputElement | undefined,
    options: [string, string][],
  ): void => {
    if (!(select instanceof HTMLSelectElement)) return;
    select.replaceChildren(
      h('option', { value: '' }, t('libFilterAll')),
      ...options.map(([value, label]) => h('option', { value }, label)),
    );
  };
  fill(
    controls['subject'],
    facets.subjects.map((s) => [s, s]),
  );
  fill(
    controls['grade'],
    facets.grades.map((g) => [String(g), t('libGrade', { n: g })]),
  );
  fill(
    controls['teacherId'],
    facets.teachers.map((x) => [x.id, x.name]),
  );
  fill(
    controls['clusterId'],
    facets.clusters.map((x) => [x.id, x.name]),
  );
  fill(
    controls['schoolId'],
    facets.schools.map((x) => [x.id, x.name]),
  );
}

/** The state badge of a recording: composing shows its progress, gaps make it incomplete. */
function stateBadge(r: RecordingView): HTMLElement {
  const label = t(`recState_${r.state}` as MessageKey);
  return h(
    'span',
    { class: 'lib-actions' },
    h(
      'span',
      { class: 'lib-state', 'data-state': r.state, 'data-testid': 'library-state' },
      r.state === 'composing' ? `${label} ${Math.round(r.progress * 100)}%` : label,
    ),
    r.state === 'composing' ? h('progress', { class: 'lib-progress', max: 1, value: r.progress }) : null,
    r.offReason
      ? h(
          'span',
          { class: `lib-off ${r.offReason}`, 'data-testid': 'library-off-reason' },
          // Off: nothing was recorded; otherwise recording stopped during the lesson.
          t(
            (r.state === 'off'
              ? `recOffReason_${r.offReason.replace('-', '_')}`
              : `recStoppedReason_${r.offReason.replace('-', '_')}`) as MessageKey,
          ),
        )
      : null,
    r.sharedRegion
      ? h('span', { class: 'lib-shared', 'data-testid': 'library-shared' }, t('libShared'))
      : null,
    r.incomplete
      ? h(
          'span',
          {
            class: 'lib-incomplete',
            'data-testid': 'library-incomplete',
            title: r.gaps
              .map(
                (g) =>
                  `${clock(g.fromMs)}–${clock(g.toMs)} ${t(`recGapReason_${g.reason.replace('-', '_')}` as MessageKey)}`,
              )
              .join('\n'),
          },
          `${t('recIncomplete')} · ${t('recGaps').replace('{n}', String(r.gaps.length))}`,
        )
      : null,
  );
}

function item(r: RecordingView, reload: () => void): HTMLElement {
  const actions = h('div', { class: 'lib-actions' });
  if (r.state === 'ready') {
    actions.append(
      h(
        'a',
        { class: 'btn btn-primary', href: `/library?lesson=${r.id}`, 'data-testid': 'library-play' },
        tr('libPlay'),
      ),
      h(
        'a',
        { class: 'btn btn-ghost', href: `/api/library/recordings/${r.id}/video?download=1` },
        tr('libDownload'),
      ),
    );
  }
  if (r.shareable)
    actions.append(
      h(
        'button',
        {
          class: 'btn btn-ghost',
          type: 'button',
          'data-testid': 'library-share',
          onclick: () =>
            void putJson<RecordingView>(`/api/library/recordings/${r.id}/share`, {
              shared: !r.sharedRegion,
            }).then(reload, (error: Error) => alert(error.message)),
        },
        tr(r.sharedRegion ? 'libUnshare' : 'libShare'),
      ),
    );
  if (r.retryable)
    actions.append(
      h(
        'button',
        {
          class: 'btn btn-ghost',
          type: 'button',
          'data-testid': 'library-retry',
          onclick: () =>
            void api
              .post<RecordingView>(`/api/library/recordings/${r.id}/compose`)
              .then(reload, (error: Error) => alert(error.message)),
        },
        tr('libRetry'),
      ),
    );
  if (r.deletable)
    actions.append(
      h(
        'button',
        {
          class: 'btn btn-ghost',
          type: 'button',
          onclick: () => {
            if (!confirm(t('libDeleteConfirm'))) return;
            api.del(`/api/library/recordings/${r.id}`).then(reload, (error: Error) => alert(error.message));
          },
        },
        tr('libDelete'),
      ),
    );
  const when = r.liveStartedAt ? dayAndTime(r.liveStartedAt) : '';
  return h(
    'article',
    { class: 'lib-item', 'data-testid': 'library-item', 'data-lesson': r.id },
    h('h3', {}, r.title),
    stateBadge(r),
    h(
      'div',
      { class: 'lib-meta' },
      [
        when,
        r.subject,
        ...recordingOrigin(r),
        r.teacherName,
        r.schoolNames.join('、'),
        r.durationMs ? `${t('libDuration')} ${clock(r.durationMs)}` : '',
        r.mp4Bytes + r.rawBytes ? `${t('libSize')} ${size(r.mp4Bytes + r.rawBytes)}` : '',
      ]
        .filter(Boolean)
        .join(' · '),
    ),
    r.state === 'failed' && r.error
      ? h('p', { class: 'lib-error', 'data-testid': 'library-error' }, `${t('libFailedWhy')}${r.error}`)
      : null,
    actions,
  );
}

function showStorage(section: HTMLElement): void {
  api.get<ClusterStorage[]>('/api/library/storage').then(
    (rows) => {
      section.hidden = rows.length === 0;
      section.replaceChildren(
        h('h2', {}, tr('libStorage')),
        h(
          'table',
          {},
          h(
            'tr',
            {},
            h('th', {}, tr('libFilterCluster')),
            h('th', {}, tr('libStorageUsed')),
            h('th', {}, tr('libRecordingOn')),
            h('th', {}, tr('libQuotaGb')),
            h('th', {}, tr('libRetentionDays')),
            h('th', {}),
          ),
          ...rows.map(storageRow),
        ),
      );
    },
    () => (section.hidden = true),
  );
}

function storageRow(row: ClusterStorage): HTMLElement {
  const enabled = h('input', { type: 'checkbox', checked: row.enabled });
  const quota = h('input', {
    type: 'number',
    min: 0.1,
    step: 0.1,
    value: row.quotaBytes === null ? '' : (row.quotaBytes / 1024 ** 3).toFixed(1),
  });
  const retention = h('input', { type: 'number', min: 1, step: 1, value: row.retentionDays ?? '' });
  const status = h('span', { class: 'lib-meta', role: 'status' });
  const over = row.quotaBytes !== null && row.bytes > row.quotaBytes;
  const save = (): void => {
    putJson<ClusterStorage>(`/api/library/clusters/${row.clusterId}/settings`, {
      enabled: enabled.checked,
      quotaGb: quota.value ? Number(quota.value) : null,
      retentionDays: retention.value ? Number(retention.value) : null,
    }).then(
      () => (status.textContent = t('libSaved')),
      (error: Error) => (status.textContent = error.message),
    );
  };
  return h(
    'tr',
    { 'data-testid': 'library-storage-row' },
    h('td', {}, row.clusterName),
    h(
      'td',
      {},
      `${size(row.bytes)} · ${row.recordings}`,
      over ? h('span', { class: 'lib-incomplete' }, ` ${t('libOverQuota')}`) : null,
    ),
    h('td', {}, enabled),
    h('td', {}, quota),
    h('td', {}, retention),
    h(
      'td',
      {},
      h('button', { class: 'btn btn-ghost', type: 'button', onclick: save }, tr('libSave')),
      status,
    ),
  );
}

function playerPage(root: HTMLElement, user: UserView, lessonId: string): void {
  const body = h('main', { class: 'library' });
  mount(root, topbar('library', null, user.realName), body);
  const back = h('a', { class: 'btn btn-ghost', href: '/library' }, tr('libBack'));
  api.get<RecordingView>(`/api/library/recordings/${encodeURIComponent(lessonId)}`).then(
    (rec) => {
      const head = h(
        'header',
        {},
        back,
        h('h1', { class: 'lesson-title' }, rec.title),
        stateBadge(rec),
        h(
          'p',
          { class: 'lib-meta' },
          [rec.teacherName, ...recordingOrigin(rec), rec.liveStartedAt ? dayAndTime(rec.liveStartedAt) : '']
            .filter(Boolean)
            .join(' · '),
        ),
      );
      if (rec.state !== 'ready') {
        body.replaceChildren(
          head,
          h('p', {}, `${t('libNotReady')}${t(`recState_${rec.state}` as MessageKey)}`),
        );
        return;
      }
      const player = recordingPlayer(rec);
      body.replaceChildren(head, player);
      // An evaluation's comment links here at its moment (?t=seconds from the live start).
      const at = Number(new URLSearchParams(location.search).get('t'));
      const video = player.querySelector('video');
      if (video && at > 0)
        video.addEventListener('loadedmetadata', () => (video.currentTime = at), { once: true });
    },
    (error: Error) => body.replaceChildren(back, h('p', { role: 'status' }, error.message)),
  );
}
