import Foundation

/// The HTML report's one stylesheet, inline so the page needs nothing from the network.
extension HTMLReport {
    static let stylesheet = """
        :root { --fg: #1d1d1f; --muted: #666; --line: #d8d8d8; --bad: #b3261e; --good: #1e7b34; --warn: #8a5a00; }
        * { box-sizing: border-box; }
        body { margin: 0; color: var(--fg); background: #fff; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
        main { max-width: 1100px; margin: 0 auto; padding: 0 24px 48px; }
        code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-size: 0.9em; }
        pre { white-space: pre-wrap; word-break: break-word; background: #f6f6f6; border: 1px solid var(--line); padding: 8px 10px; margin: 4px 0; }
        h2 { margin-top: 2em; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
        h3 { margin: 1.4em 0 0.4em; font-size: 1.05em; }
        .banner { display: flex; gap: 20px; align-items: center; padding: 18px 24px; color: #fff; }
        .banner.pass { background: #1e7b34; }
        .banner.warn { background: #b86e00; }
        .banner.fail { background: #b3261e; }
        .banner .badge { margin: 0; font-size: 1.9em; font-weight: 800; letter-spacing: 0.04em; white-space: nowrap; border: 3px solid #fff; padding: 4px 14px; }
        .banner h1 { margin: 0; font-size: 1.35em; }
        .banner p { margin: 4px 0 0; }
        .banner .interrupted { font-weight: 700; }
        table { border-collapse: collapse; width: 100%; margin: 6px 0; font-size: 0.92em; }
        th, td { border-bottom: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
        th { background: #f2f2f2; font-weight: 600; }
        /* Long paths and names wrap; a table still too wide for the window scrolls inside its box. */
        td, th { overflow-wrap: break-word; }
        .num { text-align: right; white-space: nowrap; }
        .muted { color: var(--muted); }
        .bad { color: var(--bad); }
        .good { color: var(--good); }
        .pill { display: inline-block; padding: 0 8px; border-radius: 9px; font-size: 0.8em; font-weight: 700; text-transform: uppercase; border: 1px solid currentColor; vertical-align: middle; white-space: nowrap; }
        .pill.pass { color: var(--good); }
        .pill.warn { color: var(--warn); }
        .pill.fail { color: var(--bad); }
        .pill.not-run { color: var(--muted); }
        .version { font-family: ui-monospace, Menlo, Consolas, monospace; color: var(--muted); }
        .files { color: var(--muted); font-size: 0.9em; margin-top: -0.5em; }
        ul.findings { list-style: none; padding: 0; }
        .finding { border-left: 4px solid var(--line); padding: 4px 10px; margin: 6px 0; background: #fafafa; }
        .finding.error { border-left-color: var(--bad); }
        .finding.warning { border-left-color: #e8a202; }
        .finding.info { border-left-color: #7ea6d8; }
        .finding .severity { font-weight: 700; text-transform: uppercase; font-size: 0.8em; }
        .finding.error .severity { color: var(--bad); }
        .finding.warning .severity { color: var(--warn); }
        .finding .where { color: var(--muted); font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 0.9em; }
        .finding .advice { color: var(--muted); font-style: italic; }
        .finding .accepted { color: var(--muted); }
        .scroll { overflow-x: auto; }
        ul.losses { margin: 0.3em 0 0.6em 1.2em; }
        pre.error { border-color: var(--bad); background: #fdf0ef; }
        figure.timeline { margin: 8px 0; }
        svg.timeline { display: block; width: 100%; max-width: 960px; height: auto; }
        svg text { font: 11px system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; fill: #222; }
        svg text.inside { font-weight: 600; }
        svg text.muted-label { fill: #777; font-style: italic; }
        svg text.tick-label { fill: #444; }
        pre.diff del { display: block; text-decoration: none; background: #fdecea; color: #8a1c12; }
        pre.diff ins { display: block; text-decoration: none; background: #e6f4ea; color: #1e5631; }
        svg text.blocked-count { fill: #c53030; font-weight: 600; font-size: 10px; }
        ol.lock-labels { font-size: 0.85em; margin: 4px 0; padding-left: 28px; }
        figcaption { font-size: 0.85em; }
        ul.legend { list-style: none; padding: 0; margin: 6px 0; display: flex; flex-wrap: wrap; gap: 4px 16px; }
        .swatch { display: inline-block; width: 12px; height: 12px; margin-right: 5px; vertical-align: -1px; border: 1px solid rgba(0, 0, 0, 0.25); }
        .swatch.waited { background: #fff; border: 1px dashed #555; }
        .change { font-weight: 700; text-transform: uppercase; font-size: 0.8em; }
        .difference { border: 1px solid var(--line); padding: 6px 10px; margin: 8px 0; }
        .difference p { margin: 2px 0; }
        .definitions { display: grid; grid-template-columns: 1fr 1fr; gap: 10px; }
        .label { color: var(--muted); font-size: 0.85em; margin: 4px 0 0; }
        pre.absent { color: var(--muted); font-style: italic; }
        #provenance ul { padding-left: 20px; }
        .hash { word-break: break-all; }
        a { color: inherit; }
        @page { margin: 14mm; }
        @media print {
          * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
          body { font-size: 10pt; }
          main { max-width: none; padding: 0; }
          .banner { padding: 10px 14px; }
          figure, table, .finding, .difference, pre { break-inside: avoid; }
          h2, h3 { break-after: avoid; }
          a { text-decoration: none; }
        }
        """
}
