/// The policy book's style sheet, inline in every page: system fonts only (nothing is fetched),
/// readable on screen and on paper.
enum BookStyle {
    static let css = """

        :root { color-scheme: light; }
        body { margin: 0; background: #fff; color: #1c2430;
          font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Liberation Sans", Arial, sans-serif; }
        main { max-width: 1200px; margin: 0 auto; padding: 20px 32px 56px; }
        h1 { font-size: 28px; line-height: 1.25; margin: 12px 0 8px; }
        h2 { font-size: 21px; margin: 36px 0 10px; padding-bottom: 4px; border-bottom: 2px solid #d5dce5; }
        h3 { font-size: 17px; margin: 22px 0 6px; }
        h2 code, h3 code { font-size: 0.95em; }
        a { color: #1f56a8; text-decoration: none; }
        a:hover { text-decoration: underline; }
        code, pre { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "DejaVu Sans Mono", "Liberation Mono", monospace; }
        code { font-size: 0.9em; background: #f1f4f8; border-radius: 3px; padding: 0 3px; overflow-wrap: break-word; }
        pre { background: #f6f8fa; border: 1px solid #d5dce5; border-radius: 4px; padding: 10px; overflow: auto; font-size: 12px; line-height: 1.4; }
        .lead { font-size: 16px; color: #2b3645; max-width: 70em; }
        .small { font-size: 12px; color: #566273; }
        nav.top { font-size: 14px; }
        nav.top a::before { content: "\\2190\\00a0"; }
        nav.contents { background: #f7f9fb; border: 1px solid #e1e6ec; border-radius: 6px; padding: 4px 18px 8px; margin: 16px 0; }
        nav.contents h2 { font-size: 15px; border: 0; margin: 8px 0 2px; padding: 0; }
        nav.contents ul { margin: 4px 0; padding-left: 20px; }
        dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 2px 18px; margin: 8px 0 14px; font-size: 14px; }
        dl.meta dt { color: #566273; }
        dl.meta dd { margin: 0; }
        dl.facts { display: grid; grid-template-columns: 11em 1fr; gap: 6px 18px; margin: 10px 0; font-size: 14px; }
        dl.facts dt { font-weight: 600; color: #3a4657; }
        dl.facts dd { margin: 0; }
        dl.facts ul { margin: 0; padding-left: 18px; }
        aside.legend { font-size: 13px; background: #fbfaf3; border: 1px solid #e8e2c4; border-radius: 6px; padding: 8px 14px; margin: 14px 0; }
        table { border-collapse: collapse; width: 100%; margin: 10px 0 14px; font-size: 14px; }
        th, td { border: 1px solid #d5dce5; padding: 6px 8px; vertical-align: top; text-align: left; }
        thead th { background: #eef2f6; font-weight: 600; }
        td.number { text-align: right; white-space: nowrap; }
        table.index { table-layout: fixed; }
        table.index th:nth-child(1) { width: 46%; }
        table.index th:nth-child(2) { width: 24%; }
        table.index th:nth-child(3), table.index th:nth-child(4), table.index th:nth-child(5) { width: 10%; }
        table.outcomes { width: auto; margin: 6px 0 0; font-size: 13px; }
        table.rules td.n { width: 1.5em; text-align: right; color: #566273; }
        table.rules th.n { text-align: right; }
        table.rules td.rule-id { width: 14em; }
        table.rules td.rule-id code { font-weight: 600; }
        table.rules td.when { width: 30%; }
        table.rules td.then { width: 13em; }
        table.rules td.tests { width: 5.5em; white-space: nowrap; }
        table.rules tr.default td { background: #f7f9fb; }
        .where { font-size: 11.5px; color: #566273; font-family: ui-monospace, Menlo, Consolas, "DejaVu Sans Mono", monospace; margin-top: 2px; }
        .where span { white-space: nowrap; }
        .written { font-size: 11.5px; color: #6a7585; margin-top: 6px; }
        .written code { background: none; padding: 0; }
        td.when ul { margin: 4px 0 0; padding-left: 18px; }
        td.when li, td ul.all li, td ul.any li { margin: 2px 0; }
        .joiner { font-weight: 600; }
        a.field code { color: #1f56a8; }
        code.value { background: #eef6ee; color: #1d5a24; }
        a.condition, a.set, a.decision { font-style: italic; }
        .outcome { font-weight: 600; }
        .word { margin-top: 2px; font-size: 12px; color: #566273; }
        .message { margin-top: 6px; font-size: 13px; color: #2b3645; }
        .because { margin-bottom: 6px; }
        .next-step { margin: 6px 0; padding: 4px 8px; border-left: 3px solid #9fb6d6; background: #f5f8fc; font-size: 13px; }
        ul.sources { margin: 4px 0 0; padding-left: 18px; font-size: 12px; color: #4a5666; }
        .missing { color: #8a1f11; font-style: italic; }
        mark.uncertain { background: #ffeb8a; color: inherit; padding: 0 2px; border-radius: 2px; box-shadow: inset 0 -1px 0 #e2bd2c; }
        ul.notes li { margin: 4px 0; }
        .badge { display: inline-block; border-radius: 10px; padding: 0 8px; font-size: 12px; font-weight: 600; white-space: nowrap; }
        .badge.tested { background: #e3f1e4; color: #1d5a24; }
        .badge.untested { background: #fbd5d2; color: #8a1f11; }
        figure.diagram { margin: 14px 0 8px; }
        figure.diagram figcaption { font-size: 13px; color: #566273; margin-bottom: 6px; }
        .drawing { overflow: auto; border: 1px solid #e1e6ec; border-radius: 6px; padding: 8px; background: #fff; }
        .drawing svg { max-width: 100%; height: auto; }
        p.note { font-size: 13px; color: #3a4657; background: #f7f9fb; border-left: 3px solid #c3ccd7; padding: 6px 10px; }
        footer { margin-top: 40px; padding-top: 10px; border-top: 1px solid #d5dce5; font-size: 12px; color: #566273; }
        code.digest { overflow-wrap: anywhere; }
        .small code { overflow-wrap: anywhere; }
        @media print {
          main { max-width: none; padding: 0; }
          a { color: inherit; }
          .drawing { border: 0; }
          tr, figure { break-inside: avoid; }
        }

        """
}
