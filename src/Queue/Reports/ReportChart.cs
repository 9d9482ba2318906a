using System.Globalization;
using ScottPlot;

namespace Queue.Reports;

/// <summary>
/// The daily trend chart of the email (ScottPlot, rendered headless to a PNG): calls offered per day as bars on the
/// left axis, service level (%) and ASA (s) as lines on two right axes. Drawn at twice its display size (720×320),
/// so that it stays sharp on high-density screens. Text needs a font installed (Debian fonts-dejavu-core).
/// </summary>
public static class ReportChart
{
    public const int Width = 720;
    public const int Height = 320;
    const int Scale = 2;
    const string Font = "DejaVu Sans";
    static readonly Color Calls = Color.FromHex("#9ecae1");
    static readonly Color Level = Color.FromHex("#0a6b2d");
    static readonly Color Asa = Color.FromHex("#d95f02");

    public static byte[] Png(ReportSection section)
    {
        var days = section.Days;
        using var plot = new Plot();
        plot.ScaleFactor = Scale;
        plot.Font.Set(Font);

        var bars = plot.Add.Bars(days.Select((d, i) => new Bar
        {
            Position = i, Value = d.Figures.Offered, FillColor = Calls, LineColor = Calls, Size = 0.6,
        }).ToList());
        bars.LegendText = "Calls offered";
        plot.YLabel("Calls offered");
        var maxCalls = days.Count == 0 ? 0 : days.Max(d => d.Figures.Offered);
        plot.Axes.SetLimitsY(0, Math.Max(10, maxCalls * 1.15), plot.Axes.Left);

        Line(plot, days, d => d.ServiceLevel * 100, Level, "Service level (%)", plot.Axes.Right, LinePattern.Solid);
        var levelAxis = (ScottPlot.AxisPanels.AxisBase)plot.Axes.Right;
        levelAxis.LabelText = "Service level (%)";
        levelAxis.LabelFontColor = Level;
        plot.Axes.SetLimitsY(0, 105, plot.Axes.Right);

        var asaAxis = plot.Axes.AddRightAxis();
        asaAxis.LabelText = "ASA (s)";
        asaAxis.LabelFontColor = Asa;
        var maxAsa = days.Select(d => d.Figures.AsaSeconds ?? 0).DefaultIfEmpty(0).Max();
        Line(plot, days, d => d.AsaSeconds, Asa, "ASA (s)", asaAxis, LinePattern.Dashed);
        plot.Axes.SetLimitsY(0, Math.Max(10, maxAsa * 1.15), asaAxis);

        plot.Axes.Bottom.SetTicks([.. Enumerable.Range(0, days.Count).Select(i => (double)i)],
            [.. days.Select(d => d.Day.ToString("ddd d MMM", CultureInfo.InvariantCulture))]);
        plot.Axes.SetLimitsX(-0.6, days.Count - 0.4);
        plot.Grid.XAxisStyle.MajorLineStyle.Width = 0;
        plot.ShowLegend(Edge.Top);
        plot.Legend.Orientation = Orientation.Horizontal;
        plot.Legend.OutlineWidth = 0;
        plot.Legend.ShadowColor = Colors.Transparent;
        return plot.GetImageBytes(Width * Scale, Height * Scale, ImageFormat.Png);
    }

    // A day with nothing to measure has no point; the line joins the days that have one.
    static void Line(Plot plot, IReadOnlyList<ReportDay> days, Func<ReportFigures, double?> value, Color color, string legend,
        ScottPlot.IYAxis axis, LinePattern pattern)
    {
        var points = days.Select((d, i) => (X: (double)i, Y: value(d.Figures))).Where(p => p.Y is not null).ToList();
        if (points.Count == 0) return;
        var line = plot.Add.Scatter(points.Select(p => p.X).ToArray(), points.Select(p => p.Y!.Value).ToArray(), color);
        line.LineWidth = 2;
        line.MarkerSize = 7;
        line.LinePattern = pattern;
        line.LegendText = legend;
        line.Axes.YAxis = axis;
    }
}
