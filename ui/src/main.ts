// Boots the UI: layout, routes, and the shell's events.
import "./styles.css";
import { startApp } from "./app";

startApp(document.getElementById("app")!);
