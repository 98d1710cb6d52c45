/**
 * Uploading a recording from an audio field (the Message block's, a prompt's): the asset's title from the file,
 * the list of recordings the fields suggest once it is in, and the server's refusal in words.
 */
import { create } from "zustand";
import type { AudioAsset } from "../api/client";
import { ApiError } from "../api/http";
import type { MessageKey, Translate } from "./i18n";

/** The file types the server takes (api/routes/audio.py: WAV, MP3, OGG or FLAC), for the file picker. */
export const AUDIO_ACCEPT = ".wav,.mp3,.ogg,.oga,.flac,audio/wav,audio/x-wav,audio/mpeg,audio/ogg,audio/flac";

/** What an uploaded file is called in the list of recordings: its name without the extension, at most 200. */
export function assetTitle(fileName: string): string {
  const stem = fileName.replace(/\.[A-Za-z0-9]{1,5}$/, "").trim();
  return (stem || fileName || "recording").slice(0, 200);
}

/** The refusals the server names by a stable `code` (voice/errors.py `AssetError`). */
const REFUSALS: Record<string, MessageKey> = {
  too_large: "editor.audioRefused.too_large",
  too_long: "editor.audioRefused.too_long",
  not_audio: "editor.audioRefused.not_audio",
};

/** Why an upload failed, in the interface language: a refusal by its code, anything else by the server's words. */
export function uploadFailure(error: unknown, t: Translate): string {
  if (error instanceof ApiError && error.body && typeof error.body === "object") {
    const code = (error.body as Record<string, unknown>).code;
    if (typeof code === "string" && Object.hasOwn(REFUSALS, code)) return t(REFUSALS[code]!);
  }
  return t("editor.audioUploadFailed", { message: error instanceof Error ? error.message : String(error) });
}

/**
 * The recordings as last listed after an upload, for every audio field of the session; null until then (the
 * editor's own list stands). Kept outside the editor so a block selected later still suggests the new one.
 */
export const useAudioList = create<{ assets: AudioAsset[] | null; replace(assets: AudioAsset[]): void }>((set) => ({
  assets: null,
  replace: (assets) => set({ assets }),
}));
