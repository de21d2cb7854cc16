// What the workspace app (demo/workspace/) takes from npm, bundled by web/build.mjs into
// dist/workspace-views.js: Preact with htm for the views (tagged templates, no build step for the
// app itself, and text is always set as text), uPlot for the trend chart. Not part of the widget
// or the npm package's entry points.
import { h, render } from 'preact';
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import htm from 'htm';
import uPlot from 'uplot';

export const html = htm.bind(h);
export { render, useCallback, useEffect, useMemo, useRef, useState, uPlot };
