import { CLASSROOM_CAPTURE, TEACHER_CAPTURE } from './encodings.ts';

/**
 * Opens the camera and microphone. The teacher's camera feeds three simulcast layers, so it
 * asks for 720p; a classroom camera only feeds the teacher's grid, so 360p is plenty.
 * Audio processing stays on: classrooms use loudspeakers next to the microphone.
 */
export async function openLocalMedia(role: 'teacher' | 'classroom'): Promise<MediaStream> {
  const video: MediaTrackConstraints =
    role === 'teacher' ? idealOf(TEACHER_CAPTURE) : idealOf(CLASSROOM_CAPTURE);
  const audio: MediaTrackConstraints = {
    echoCancellation: true,
    noiseSuppression: true,
    autoGainControl: true,
  };
  try {
    return await navigator.mediaDevices.getUserMedia({ video, audio });
  } catch {
    // A classroom without a working camera still takes part with its microphone.
    return navigator.mediaDevices.getUserMedia({ audio });
  }
}

function idealOf(capture: { width: number; height: number; frameRate: number }): MediaTrackConstraints {
  return {
    width: { ideal: capture.width },
    height: { ideal: capture.height },
    frameRate: { ideal: capture.frameRate },
  };
}
