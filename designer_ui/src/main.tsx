import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import "@xyflow/react/dist/style.css";
import "./styles.css";
import { App } from "./App";
import { watchForNewVersion } from "./lib/newVersion";

// A chunk of the release before an upgrade that will not load is told apart from other errors (lib/newVersion.ts).
watchForNewVersion();

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
