/**
 * The part of JupyterLab's Notification the job toasts use, and the one guard they all go
 * through against a toast updated before it exists.
 */
import { Notification } from '@jupyterlab/apputils';

/** The part of JupyterLab's Notification the helper uses (tests pass a double). */
export interface INotifier {
  emit: (
    message: string,
    type: Notification.TypeOptions,
    options?: Notification.IOptions<any>
  ) => string;
  update: (args: Notification.IUpdate<any>) => boolean;
  dismiss: (id?: string) => void;
}

/**
 * A notifier whose final updates (success, error, default) are sent once more a moment later.
 * JupyterLab creates a toast asynchronously; an update that arrives before the toast exists is
 * lost, and a job that ends within milliseconds of its start (a fetch of a file already there,
 * a submission whose stages come together) kept showing its progress toast with a spinner. The
 * repeat is the same update: harmless when the first one was seen.
 */
export function settlingNotifier(
  base: INotifier,
  delays: number[] = [1000, 4000]
): INotifier {
  return {
    emit: (message, type, options) => base.emit(message, type, options),
    dismiss: id => base.dismiss(id),
    update: args => {
      const done = base.update(args);
      if (args.type && args.type !== 'in-progress') {
        for (const delay of delays) {
          setTimeout(() => base.update(args), delay);
        }
      }
      return done;
    }
  };
}
