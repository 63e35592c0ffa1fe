/**
 * Text for people as it travels: both languages (scheduler/text.ts defines it once), the
 * client showing the one of its interface language.
 */
export type { Lang, Text } from '../../scheduler/text.ts';
