"""TTS engines. Each is found through the `ivrgraph.tts` entry-point group; see `voice.engines.base`."""
