-- Inbox retention (Hue:Notifications:RetentionDays): the hourly delete finds old entries by time, not by a scan.
CREATE INDEX IF NOT EXISTS hue_notifications_at ON hue_notifications (at);
