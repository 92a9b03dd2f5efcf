-- Calibration: needs ACCESS EXCLUSIVE on clips while a long transaction holds it for 1.5 s.
ALTER TABLE clips ADD COLUMN calibration int;
