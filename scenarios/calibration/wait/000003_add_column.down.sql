ALTER TABLE clips DROP COLUMN calibration;
