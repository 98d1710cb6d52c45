import { describe, expect, it } from "vitest";
import { ApiError } from "../api/http";
import { assetTitle, uploadFailure } from "./audioUpload";
import { translator } from "./i18n";

describe("uploading a recording", () => {
  it("names the asset after the file, without its extension", () => {
    expect(assetTitle("Bienvenida oficina.wav")).toBe("Bienvenida oficina");
    expect(assetTitle("menu.v2.mp3")).toBe("menu.v2");
    expect(assetTitle("x".repeat(300) + ".ogg")).toHaveLength(200);
  });

  it("says a refusal in words, by the server's code, in the interface language", () => {
    const refused = (code: string, detail: string) => new ApiError(422, { status: 422, code, detail }, detail);
    const tooLarge = refused("too_large", "the file is 25.1 MB; the limit is 20.0 MB");
    expect(uploadFailure(tooLarge, translator("en"))).toBe("Not uploaded: the file is too large (at most 20 MB).");
    expect(uploadFailure(tooLarge, translator("ru"))).toBe("Не загружено: файл слишком большой (не больше 20 МБ).");
    expect(uploadFailure(refused("not_audio", "the file is not WAV, MP3, OGG or FLAC audio"), translator("es"))).toBe(
      "No se ha subido: el archivo no es un audio que el servidor pueda leer (WAV, MP3, OGG o FLAC).",
    );
    expect(uploadFailure(refused("too_long", "the audio lasts 700 s"), translator("en"))).toMatch(/too long \(at most 10 minutes\)/);
  });

  it("says any other failure with the server's own words", () => {
    expect(uploadFailure(new ApiError(403, { detail: "needs the editor role" }, "needs the editor role"), translator("en"))).toBe(
      "Not uploaded: needs the editor role",
    );
  });
});
