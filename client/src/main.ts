import type { UserView } from '../../server/contract/api.ts';
import { ApiError, api } from './api.ts';
import { classroomPage } from './pages/classroom.ts';
import { homeOf, homePage } from './pages/home.ts';
import { loginPage } from './pages/login.ts';
import { managePage } from './pages/manage.ts';
import { replayPage } from './pages/replay.ts';
import { libraryPage } from './pages/library.ts';
import { studioPage } from './pages/studio.ts';

const root = document.getElementById('app')!;

async function route(): Promise<void> {
  const path = location.pathname.replace(/\/+$/, '') || '/';
  if (path === '/login') {
    loginPage(root);
    return;
  }
  let user: UserView;
  try {
    user = await api.me();
  } catch (error) {
    if (error instanceof ApiError && (error.status === 401 || error.status === 404)) {
      location.replace(`/login?next=${encodeURIComponent(location.pathname)}`);
      return;
    }
    throw error;
  }
  const home = homeOf(user.role);
  if (path === '/replay') replayPage(root, user);
  else if (path === '/library' && ['teacher', 'coordinator', 'bureau', 'admin'].includes(user.role))
    libraryPage(root, user);
  else if (path === '/studio' && user.role === 'teacher') studioPage(root, user);
  else if (path === '/classroom' && user.role === 'classroom') classroomPage(root, user);
  else if (path === '/manage' && home === '/manage') managePage(root, user);
  else if (home !== '/' && path !== home) location.replace(home);
  else homePage(root, user);
}

void route();
