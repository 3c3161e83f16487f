-- Border surveillance beyond 0001: a sensor's schedule and heights (operating windows, outages,
-- a patrol's route and timetable, altitude above the ground, target height, whether its range
-- was derived from the horizon) as one JSON document, NULL when it has none; a border's owner
-- (the party watch-void alerts go to) and the shipped border its line came from.
ALTER TABLE sensors ADD COLUMN schedule TEXT;
ALTER TABLE borders ADD COLUMN owner TEXT;
ALTER TABLE borders ADD COLUMN ref TEXT;
