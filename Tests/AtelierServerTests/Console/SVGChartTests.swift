import Atelier
@testable import AtelierServer
import Foundation
import Testing

/// The reports' charts drawn on the server: their geometry, the escaping of every text put into them, and what
/// they draw when there is nothing (no periods, or only zeros).
@Suite struct SVGChartTests {
    func chart(_ values: [Int64]) -> SVGChart {
        SVGChart(id: "test-chart", title: "Orders", description: "Orders by day", data: values.enumerated().map { index, value in
            SVGChart.Datum(key: "2026-03-\(10 + index)", label: "03-\(10 + index)", value: value, text: String(value))
        })
    }

    func count(_ needle: String, in text: String) -> Int { text.components(separatedBy: needle).count - 1 }

    func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) < 0.001 }

    @Test func ticksAreRoundAndReachTheLargestValue() {
        #expect(SVGChart.ticks(upTo: 0) == [0])
        #expect(SVGChart.ticks(upTo: -5) == [0])
        #expect(SVGChart.ticks(upTo: 3) == [0, 1, 2, 3])
        #expect(SVGChart.ticks(upTo: 7) == [0, 2, 4, 6, 8])
        #expect(SVGChart.ticks(upTo: 100) == [0, 50, 100])
        #expect(SVGChart.ticks(upTo: 12_345) == [0, 5_000, 10_000, 15_000])
    }

    @Test func valuesMapOntoThePlot() {
        let frame = chart([2, 4, 1]).frame()
        #expect(frame.scaleTop == 4)
        #expect(close(frame.y(4), frame.top) && close(frame.y(0), frame.bottom))
        #expect(close(frame.y(2), frame.top + frame.plotHeight / 2))
        #expect(close(frame.y(-3), frame.bottom) && close(frame.y(9), frame.top))
        #expect(close(frame.x(1) - frame.x(0), frame.slot) && close(frame.x(0) - frame.left, frame.slot / 2))
        #expect(frame.left + frame.plotWidth < frame.width && frame.bottom < frame.height)
        // Few periods share the narrowest plot; many get the narrowest slot each, and their labels are turned.
        #expect(close(frame.plotWidth, SVGChart.minimumPlotWidth) && !frame.rotatesLabels)
        let many = chart(Array(repeating: 1_000_000, count: 60)).frame()
        #expect(close(many.slot, SVGChart.minimumSlot) && many.rotatesLabels && many.rotatesValues)
        #expect(many.top > frame.top)
    }

    @Test func columnsStandOnTheAxisWithTheirValuesWritten() {
        let svg = chart([2, 4]).columns()
        #expect(svg.hasPrefix("<svg id=\"test-chart\"") && svg.hasSuffix("</svg>"))
        #expect(svg.contains("role=\"img\"") && svg.contains("aria-labelledby=\"test-chart-title\"")
            && svg.contains("aria-describedby=\"test-chart-desc\""))
        #expect(svg.contains("<title id=\"test-chart-title\">Orders</title><desc id=\"test-chart-desc\">Orders by day</desc>"))
        #expect(count("<rect class=\"column\"", in: svg) == 2 && count("<text class=\"value\"", in: svg) == 2)
        // The largest fills the plot's 200 points; half of it, half of them.
        #expect(svg.contains("height=\"200\"/>") && svg.contains("height=\"100\"/>"))
        #expect(svg.contains("data-key=\"2026-03-10\" data-value=\"2\"") && svg.contains("data-key=\"2026-03-11\" data-value=\"4\""))
        #expect(count("<text class=\"tick\"", in: svg) == 5)
    }

    @Test func aLineMarksEveryPoint() {
        let svg = chart([5, 0, 3]).line()
        #expect(count("<circle class=\"marker\"", in: svg) == 3 && count("<polyline", in: svg) == 1)
        #expect(count("<text class=\"value\"", in: svg) == 3)
        let single = chart([5]).line()
        #expect(count("<circle", in: single) == 1 && !single.contains("<polyline"))
    }

    @Test func rankedBarsGrowWithTheirValues() {
        let svg = SVGChart(id: "options", title: "Options", description: "By units", data: [
            .init(key: "size=large", label: "size: large", value: 10, text: "10 units"),
            .init(key: "size=small", label: "size: small", value: 5, text: "5 units"),
        ]).bars()
        #expect(svg.contains("width=\"420\" height=\"18\"") && svg.contains("width=\"210\" height=\"18\""))
        #expect(svg.contains(">size: large</text>") && svg.contains(">10 units</text>"))
        #expect(svg.range(of: "size: large")!.lowerBound < svg.range(of: "size: small")!.lowerBound)
    }

    @Test func everyTextIsEscaped() {
        #expect(XMLText.escape("<b> & \"x\" 'y'") == "&lt;b&gt; &amp; &quot;x&quot; &apos;y&apos;")
        #expect(XMLText.escape("a\u{0}b\u{7}c\nd") == "abc\nd")
        let chart = SVGChart(id: "x\"y", title: "T & <T>", description: "D > d", data: [
            .init(key: "k\"", label: "<script>alert(1)</script>", value: 1, text: "1 < 2"),
        ], tickText: { "<\($0)>" })
        for svg in [chart.line(), chart.columns(), chart.bars()] {
            #expect(!svg.contains("<script") && svg.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
            #expect(svg.contains("T &amp; &lt;T&gt;") && svg.contains("D &gt; d") && svg.contains("1 &lt; 2") && svg.contains("&lt;1&gt;"))
            #expect(svg.contains("id=\"x&quot;y\"") && svg.contains("data-key=\"k&quot;\""))
        }
        #expect(SVGChart.shortened(String(repeating: "x", count: 50)).count == SVGChart.longestLabel)
    }

    @Test func nothingToDrawIsSaidAndNoNumberIsBroken() {
        let empty = SVGChart(id: "e", title: "Orders", description: "None", data: [], emptyNote: "No orders")
        for svg in [empty.line(), empty.columns(), empty.bars()] {
            #expect(svg.contains(">No orders</text>") && !svg.contains("class=\"datum\""))
            #expect(!svg.lowercased().contains("nan") && !svg.lowercased().contains("inf"))
        }
        let zeros = chart([0, 0, 0])
        #expect(zeros.frame().scaleTop == 1)
        let columns = zeros.columns()
        #expect(count("height=\"0\"/>", in: columns) == 3 && columns.contains(">Nothing in this range</text>"))
        #expect(!columns.lowercased().contains("nan"))
        #expect(!chart([0, 2]).columns().contains("Nothing in this range"))
    }

    @Test func aTableCellsBarIsItsShareOfTheLargest() {
        #expect(SVGChart.cell(50, of: 100).contains("<rect x=\"0\" y=\"1\" width=\"60\" height=\"10\"/>"))
        #expect(SVGChart.cell(0, of: 0).contains("width=\"0\" height=\"10\""))
        #expect(SVGChart.cell(1, of: 1_000_000).contains("width=\"1\" height=\"10\""))  // a sale never vanishes
        #expect(SVGChart.cell(5, of: 5).contains("aria-hidden=\"true\""))
        #expect(SVGChart.number(12.34) == "12.3" && SVGChart.number(7) == "7" && SVGChart.number(-0.5) == "-0.5")
        #expect(SVGChart.number(.nan) == "0")
    }
}
