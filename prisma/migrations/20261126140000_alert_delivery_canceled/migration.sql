-- A notification that had not gone out when its incident resolved is canceled rather than sent late (a FIRING
-- message after the recovery would contradict it).
ALTER TYPE "AlertDeliveryStatus" ADD VALUE 'CANCELED';
