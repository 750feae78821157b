"""Analytics: KPIs and the league table, trends, receivables aging per unit, drill-down."""
