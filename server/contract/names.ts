/**
 * Names the platform gives records itself (nobody typed them), defined once: the server writes
 * them, the client recognizes them and shows them in its interface language ("系统管理员" /
 * "Administrator", "<school>作息" / "<school> bell schedule"). A name a person typed — a
 * school, a class, a teacher, a subject, a bell schedule renamed — is shown as typed, in
 * either language.
 */

/** The name of the administrator account the platform creates (first start, demo). */
export const SYSTEM_ADMIN_NAME = '系统管理员';

/** The name of the bell schedule the platform creates for a school (demo, an applied bell change). */
export function defaultBellsName(schoolName: string): string {
  return `${schoolName}作息`;
}
