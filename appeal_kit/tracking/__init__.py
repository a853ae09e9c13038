"""Tracking: platform rules, deadlines, penalty points, the case event log, the workspace dashboard and the calendar export."""
