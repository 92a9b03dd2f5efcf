import Foundation

/// The HTML report's inline SVG timeline: a migration's steps on one time axis, a bar per
/// lock held coloured by mode, and the traffic lane.
extension HTMLReport {
    // MARK: - Timeline

    /// Where each step sits on the timeline. The axis is linear inside each step; a step too
    /// short to see is widened to `minimumStepWidth`, which shifts the steps after it, so the
    /// axis is piecewise linear and `x(atMs:)` maps through the same pieces.
    struct TimelineLayout {
        struct Placed {
            var step: StepReport
            var startMs: Double
            var x: Double
            var width: Double

            var pixelsPerMs: Double { step.durationMs > 0 ? width / step.durationMs : 0 }
        }

        static let width = 960.0
        static let left = 12.0
        static let right = 948.0
        static let minimumStepWidth = 40.0

        var steps: [Placed]
        var totalMs: Double

        init(_ steps: [StepReport]) {
            let durations = steps.map { max($0.durationMs, 0) }
            let available = Self.right - Self.left
            var widths = [Double](repeating: Self.minimumStepWidth, count: steps.count)
            var pinned = Set<Int>()
            while true {
                let free = steps.indices.filter { !pinned.contains($0) }
                let freeMs = free.reduce(0.0) { $0 + durations[$1] }
                let freePixels = max(available - Double(pinned.count) * Self.minimumStepWidth, 0)
                guard !free.isEmpty, freeMs > 0 else { break }
                let tooNarrow = free.filter { durations[$0] / freeMs * freePixels < Self.minimumStepWidth }
                if tooNarrow.isEmpty {
                    for index in free { widths[index] = durations[index] / freeMs * freePixels }
                    break
                }
                pinned.formUnion(tooNarrow)
            }
            var placed: [Placed] = []
            var x = Self.left
            var startMs = 0.0
            for (index, step) in steps.enumerated() {
                placed.append(Placed(step: step, startMs: startMs, x: x, width: widths[index]))
                x += widths[index]
                startMs += durations[index]
            }
            self.steps = placed
            self.totalMs = startMs
        }

        var endX: Double { steps.last.map { $0.x + $0.width } ?? Self.left }

        func x(atMs time: Double) -> Double {
            for placed in steps where time <= placed.startMs + max(placed.step.durationMs, 0) {
                return placed.x + min(max(time - placed.startMs, 0) * placed.pixelsPerMs, placed.width)
            }
            return endX
        }
    }

    static let stepHeight = 26.0
    static let labelLineHeight = 14.0
    static let lockRowHeight = 16.0
    static let lockRowGap = 4.0
    static let minimumLockWidth = 4.0
    static let trafficLaneHeight = 56.0
    /// A rough width of one character at the timeline's 11 px font, to keep labels apart.
    static let characterWidth = 6.2

    static func timeline(_ migration: MigrationReport, report: RehearsalReport) -> [String] {
        let layout = TimelineLayout(migration.steps)
        var body: [String] = []

        // A step's label goes inside its bar when it fits, else on the first free line above,
        // moved left when it would run past the chart's right edge (never cut).
        var labelLines: [(line: Int, x: Double)?] = []
        var lineEnds: [Double] = []
        for placed in layout.steps {
            let textWidth = Double(stepText(placed.step).count) * characterWidth
            if textWidth + 8 <= placed.width {
                labelLines.append(nil)
                continue
            }
            let x = max(min(placed.x + 1, TimelineLayout.right - textWidth), TimelineLayout.left)
            var line = lineEnds.firstIndex { $0 + 6 <= x } ?? lineEnds.count
            if line >= 2 {
                line = lineEnds[0] <= lineEnds[1] ? 0 : 1
            }
            if line == lineEnds.count { lineEnds.append(0) }
            lineEnds[line] = x + textWidth
            labelLines.append((line, x))
        }
        let stepTop = 8 + Double(lineEnds.count) * labelLineHeight
        for (placed, label) in zip(layout.steps, labelLines) {
            let step = placed.step
            let text = stepText(step)
            let style = stepStyle(step)
            let dash = style.dashed ? " stroke-dasharray=\"3 2\"" : ""
            body.append("<rect class=\"step \(step.status.rawValue)\" x=\"\(n(placed.x))\" y=\"\(n(stepTop))\" width=\"\(n(placed.width))\" height=\"\(n(stepHeight))\" fill=\"\(style.fill)\" stroke=\"#ffffff\" stroke-width=\"1\"\(dash)><title>\(esc("\(text) (\(step.status.rawValue))"))</title></rect>")
            if let label {
                body.append("<text class=\"step-label\" x=\"\(n(label.x))\" y=\"\(n(8 + Double(label.line) * labelLineHeight + 9))\">\(esc(text))</text>")
            } else {
                body.append("<text class=\"step-label inside\" x=\"\(n(placed.x + 5))\" y=\"\(n(stepTop + stepHeight / 2 + 4))\" style=\"fill:\(style.text)\">\(esc(text))</text>")
            }
        }

        let lockTop = stepTop + stepHeight + 10
        let locks = layout.steps.flatMap { placed in placed.step.locks.map { (placed, $0) } }
        var besideChart: [String] = []
        for (index, (placed, lock)) in locks.enumerated() {
            let y = lockTop + Double(index) * (lockRowHeight + lockRowGap)
            let stepEnd = placed.x + placed.width
            let width = min(max(lock.heldMs * placed.pixelsPerMs, minimumLockWidth), placed.width)
            var x = placed.x + max(lock.firstSeenMs, 0) * placed.pixelsPerMs
            if x + width > stepEnd { x = max(placed.x, stepEnd - width) }
            let held = MarkdownReport.held(lock, interval: report.lockSampleIntervalMs)
            let text = "\(lock.relation) · \(lock.mode)\(lock.granted ? "" : " (waited)") · \(held)"
            let title = "\(placed.step.label): \(lock.mode)\(lock.granted ? "" : " (waited for)") on \(lock.relation), seen \(Format.duration(lock.firstSeenMs))–\(Format.duration(lock.lastSeenMs)) into the step"
            let waited = lock.granted ? "" : " fill-opacity=\"0.35\" stroke=\"\(lockColour(lock.mode))\" stroke-dasharray=\"3 2\""
            body.append("<rect class=\"lock\" x=\"\(n(x))\" y=\"\(n(y))\" width=\"\(n(width))\" height=\"\(n(lockRowHeight))\" fill=\"\(lockColour(lock.mode))\"\(waited)><title>\(esc(title))</title></rect>")
            let textWidth = Double(text.count) * characterWidth
            let baseline = n(y + lockRowHeight / 2 + 4)
            if x + width + 4 + textWidth <= TimelineLayout.right {
                body.append("<text class=\"lock-label\" x=\"\(n(x + width + 4))\" y=\"\(baseline)\">\(esc(text))</text>")
            } else if x - 4 - textWidth >= TimelineLayout.left {
                body.append("<text class=\"lock-label\" x=\"\(n(x - 4))\" y=\"\(baseline)\" text-anchor=\"end\">\(esc(text))</text>")
            } else {
                // Fits on neither side: a number here, the whole label beside the chart.
                besideChart.append(text)
                body.append("<text class=\"lock-label\" x=\"\(n(x + 2))\" y=\"\(baseline)\">[\(besideChart.count)]</text>")
            }
        }
        var lanesBottom = lockTop + Double(locks.count) * (lockRowHeight + lockRowGap)
        if locks.isEmpty {
            body.append("<text class=\"muted-label\" x=\"\(n(TimelineLayout.left))\" y=\"\(n(lockTop + 12))\">no relation locks were sampled</text>")
            lanesBottom = lockTop + lockRowHeight + lockRowGap
        }

        let traffic = trafficLane(migration, layout: layout, top: lanesBottom)
        if !traffic.isEmpty {
            body.append(traffic)
            lanesBottom += trafficLaneHeight
        }

        let axisY = lanesBottom + 6
        for placed in layout.steps.dropFirst() {
            body.append("<line class=\"boundary\" x1=\"\(n(placed.x))\" y1=\"\(n(stepTop))\" x2=\"\(n(placed.x))\" y2=\"\(n(axisY))\" stroke=\"#888888\" stroke-dasharray=\"2 3\"/>")
        }
        body.append("<line class=\"axis\" x1=\"\(n(TimelineLayout.left))\" y1=\"\(n(axisY))\" x2=\"\(n(max(layout.endX, TimelineLayout.left)))\" y2=\"\(n(axisY))\" stroke=\"#444444\"/>")
        let interval = tickInterval(layout.totalMs)
        var lastTickX = -Double.infinity
        for tick in 0...1000 {
            let time = Double(tick) * interval
            guard time <= layout.totalMs * (1 + 1e-9) || tick == 0 else { break }
            let x = layout.x(atMs: time)
            guard x - lastTickX >= 48 else { continue }
            lastTickX = x
            let textAnchor = tick == 0 ? "start" : (x > TimelineLayout.right - 24 ? "end" : "middle")
            body.append("<line class=\"tick\" x1=\"\(n(x))\" y1=\"\(n(axisY))\" x2=\"\(n(x))\" y2=\"\(n(axisY + 5))\" stroke=\"#444444\"/>")
            body.append("<text class=\"tick-label\" x=\"\(n(x))\" y=\"\(n(axisY + 17))\" text-anchor=\"\(textAnchor)\">\(esc(tickLabel(time, interval: interval)))</text>")
        }
        let height = axisY + 24

        let name = "\(migration.version) \(migration.name)"
        var out = ["<figure class=\"timeline\">"]
        out.append("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"timeline\" viewBox=\"0 0 \(n(TimelineLayout.width)) \(n(height))\" width=\"\(n(TimelineLayout.width))\" height=\"\(n(height))\" role=\"img\" aria-label=\"\(attr("Timeline of migration \(name)"))\">")
        out.append("<title>\(esc("Timeline of migration \(name): steps up, down and up again on one time axis, with the relation locks seen in each"))</title>")
        out += body
        out.append("</svg>")
        out.append("<figcaption>")
        if !besideChart.isEmpty {
            out.append("<ol class=\"lock-labels\">" + besideChart.map { "<li>\(esc($0))</li>" }.joined() + "</ol>")
        }
        out += legend
        out.append("<p class=\"muted\">Steps in the order they ran; a step shorter than the chart can show is drawn at a minimum width, and the axis stretches with it. A lock is drawn from the first to the last sample that saw it (every \(esc(Format.duration(report.lockSampleIntervalMs)))); a single sample shows as a thin bar.</p>")
        out.append("</figcaption>")
        out.append("</figure>")
        return out
    }

    /// The application's side of the timeline, below the lock bars: the slowest query per
    /// time bucket as a line (scaled to the lane, capped at the step's worst), and each query
    /// the migration blocked as a red bar from its wait start to its end. Lines, not rects,
    /// so the rects of a timeline stay one per step and one per lock.
    static func trafficLane(_ migration: MigrationReport, layout: TimelineLayout, top: Double) -> String {
        guard migration.steps.contains(where: { $0.traffic != nil }) else { return "" }
        let worst = max(migration.steps.compactMap { $0.traffic?.maxMs }.max() ?? 0, 1)
        let laneTop = top + 4
        let laneHeight = trafficLaneHeight - 14
        var parts: [String] = []
        parts.append("<text class=\"muted-label\" x=\"\(n(TimelineLayout.left))\" y=\"\(n(laneTop + 8))\">traffic: slowest query (max \(esc(Format.duration(worst)))), blocked queries in red</text>")
        for placed in layout.steps {
            guard let traffic = placed.step.traffic else { continue }
            let points = traffic.timeline.map { point -> String in
                let x = placed.x + min(point.atMs * placed.pixelsPerMs, placed.width)
                let y = laneTop + laneHeight - min(point.maxMs / worst, 1) * (laneHeight - 10)
                return "\(n(x)),\(n(y))"
            }
            if points.count > 1 {
                parts.append("<polyline class=\"latency\" points=\"\(points.joined(separator: " "))\" fill=\"none\" stroke=\"#2b6cb0\" stroke-width=\"1.5\"><title>\(esc("\(placed.step.label): p99 \(Format.duration(traffic.p99Ms)), max \(Format.duration(traffic.maxMs))"))</title></polyline>")
            }
            let stepEnd = placed.x + placed.width
            // Blocked queries that overlap on the chart are one bar, with their count.
            for (index, group) in blockedGroups(placed.step.blocked.filter(\.isFelt), placed: placed).enumerated() {
                let y = laneTop + laneHeight + 2 - Double(index % 2) * 3
                let x2 = min(group.x2, stepEnd)
                let longest = group.events.max { $0.waitMs < $1.waitMs }!
                let title = group.events.count == 1
                    ? "\(longest.query) blocked \(Format.duration(longest.waitMs)) on \(longest.mode) \(longest.relation)"
                    : "\(group.events.count) queries blocked (\(Set(group.events.map(\.query)).sorted().joined(separator: ", "))), the longest \(Format.duration(longest.waitMs)) on \(longest.mode) \(longest.relation)"
                parts.append("<line class=\"blocked\" x1=\"\(n(group.x1))\" y1=\"\(n(y))\" x2=\"\(n(x2))\" y2=\"\(n(y))\" stroke=\"#c53030\" stroke-width=\"2.5\"><title>\(esc(title))</title></line>")
                if group.events.count > 1 {
                    parts.append("<text class=\"blocked-count\" x=\"\(n(group.x1))\" y=\"\(n(y - 4))\">×\(group.events.count)</text>")
                }
            }
        }
        return parts.joined(separator: "\n")
    }

    /// A step's blocked queries as bars on the chart, overlapping ones (within a pixel)
    /// merged, in order.
    static func blockedGroups(_ events: [BlockedEvent], placed: TimelineLayout.Placed) -> [(x1: Double, x2: Double, events: [BlockedEvent])] {
        var groups: [(x1: Double, x2: Double, events: [BlockedEvent])] = []
        let spans = events.map { event -> (Double, Double, BlockedEvent) in
            let x1 = placed.x + min(max(event.startMs, 0) * placed.pixelsPerMs, placed.width)
            return (x1, max(x1 + event.waitMs * placed.pixelsPerMs, x1 + 2), event)
        }.sorted { $0.0 < $1.0 }
        for (x1, x2, event) in spans {
            if let last = groups.indices.last, x1 <= groups[last].x2 + 1 {
                groups[last].x2 = max(groups[last].x2, x2)
                groups[last].events.append(event)
            } else {
                groups.append((x1, x2, [event]))
            }
        }
        return groups
    }

    static func stepText(_ step: StepReport) -> String {
        let suffix: String
        switch step.status {
        case .ok: suffix = ""
        case .failed: suffix = step.interrupted ? " interrupted" : (step.timedOut ? " timed out" : " failed")
        case .skipped: suffix = " skipped"
        }
        return "\(step.label) \(Format.duration(step.durationMs))\(suffix)"
    }

    static func stepStyle(_ step: StepReport) -> (fill: String, text: String, dashed: Bool) {
        switch step.status {
        case .failed: return ("#b3261e", "#ffffff", false)
        case .skipped: return ("#e4e4e4", "#333333", true)
        case .ok:
            if step.direction == .down { return ("#6a4f8f", "#ffffff", false) }
            return step.pass == 1 ? ("#3e5c80", "#ffffff", false) : ("#3e7f77", "#ffffff", false)
        }
    }

    /// Lock colours by how much of the application a mode stops: red stops everything,
    /// orange and amber stop writes, yellow stops DDL and VACUUM, blue and grey stop nothing
    /// that ordinary traffic does.
    static let lockPalette: [(modes: [String], colour: String, label: String)] = [
        (["AccessExclusiveLock"], "#d62728", "AccessExclusiveLock: blocks reads and writes"),
        (["ExclusiveLock", "ShareRowExclusiveLock"], "#f28e2b", "ExclusiveLock, ShareRowExclusiveLock: block writes"),
        (["ShareLock"], "#e8a202", "ShareLock: blocks writes"),
        (["ShareUpdateExclusiveLock"], "#f2d43c", "ShareUpdateExclusiveLock: blocks DDL and VACUUM"),
        (["RowExclusiveLock"], "#7ea6d8", "RowExclusiveLock: ordinary writes"),
        (["RowShareLock", "AccessShareLock"], "#b8b8b8", "RowShareLock, AccessShareLock, other: ordinary reads"),
    ]

    static func lockColour(_ mode: String) -> String {
        lockPalette.first { $0.modes.contains(mode) }?.colour ?? "#b8b8b8"
    }

    static var legend: [String] {
        var out = ["<ul class=\"legend\">"]
        let steps = [("#3e5c80", "up"), ("#6a4f8f", "down"), ("#3e7f77", "second up"), ("#b3261e", "failed step"), ("#e4e4e4", "skipped step")]
        for (colour, label) in steps {
            out.append("<li><span class=\"swatch\" style=\"background:\(colour)\"></span>\(label)</li>")
        }
        for entry in lockPalette {
            out.append("<li><span class=\"swatch\" style=\"background:\(entry.colour)\"></span>\(esc(entry.label))</li>")
        }
        out.append("<li><span class=\"swatch waited\"></span>dashed: lock waited for, not granted</li>")
        out.append("</ul>")
        return out
    }

    /// 1, 2 or 5 times a power of ten, so that about five ticks span `totalMs`.
    static func tickInterval(_ totalMs: Double) -> Double {
        let raw = totalMs / 5
        guard raw > 0, raw.isFinite else { return 1 }
        let magnitude = pow(10, floor(log10(raw)))
        let normalized = raw / magnitude
        let factor: Double = normalized <= 1 ? 1 : (normalized <= 2 ? 2 : (normalized <= 5 ? 5 : 10))
        return factor * magnitude
    }

    static func tickLabel(_ time: Double, interval: Double) -> String {
        if interval >= 1000 {
            let seconds = time / 1000
            let decimals = interval.truncatingRemainder(dividingBy: 1000) == 0 ? 0 : 1
            return String(format: "%.\(decimals)f s", seconds)
        }
        // Below a millisecond, as many decimals as the interval needs (0.05 ms steps: 2).
        let decimals = interval >= 1 ? 0 : Int(ceil(-log10(interval) - 1e-9))
        return String(format: "%.\(decimals)f ms", time)
    }

}
