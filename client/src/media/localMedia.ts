/**
 * Opens the camera and microphone. The teacher's camera feeds three simulcast layers, so it
 * asks for 720p; a classroom camera only feeds the teacher's grid, so 360p is plenty.
 * Audio processing stays on: classrooms use loudspeakers next to the microphone.
 */
export async function openLocalMedia(role: 'teacher' | 'classroom'): Promise<MediaStream> {
  const video: MediaTrackConstraints =
    role === 'teacher'
      ? { width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: 25 } }
      : { width: { ideal: 640 }, height: { ideal: 360 }, frameRate: { ideal: 15 } };
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
