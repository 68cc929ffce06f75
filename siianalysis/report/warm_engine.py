"""The papermill engine that runs a notebook on a kernel it is given (a warm one).

papermill's engines (``papermill.engines``) say how a notebook runs; ``register_engine``
adds ours, ``siianalysis-warm``, once per process. Compared with papermill's
``nbclient`` engine it:

- uses the kernel manager passed as ``km`` (nbclient then does not own it, so it
  neither starts nor shuts the kernel down) and the client passed as ``kc`` (kept
  open from report to report: a new client costs a handshake and 0.2 s of waiting
  for a quiet IOPub channel). Without ``kc`` it makes one and stops its channels
  afterwards (nbclient would leave them open: sockets and a heartbeat thread);
- writes the output notebook only when execution stops with an exception (timeout,
  dead kernel); papermill itself writes it at the end, with the error marked when a
  cell raised. papermill's default rewrites the whole notebook twice per cell.
"""

from __future__ import annotations

import logging
from functools import lru_cache

ENGINE_NAME = "siianalysis-warm"


def _quiet_log() -> logging.Logger:
    """nbclient's logger in a batch: what it would print ("Kernel died while waiting for
    execute reply", …) reaches the result as an exception anyway, and would tear the bar."""
    log = logging.getLogger("siianalysis.report.nbclient")
    log.setLevel(logging.CRITICAL)
    return log


@lru_cache(maxsize=1)
def register_engine() -> str:
    """Register (once per process) the engine with papermill; returns its name."""
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, NotebookExecutionManager, papermill_engines
    from papermill.utils import merge_kwargs, remove_args

    class OwnKernelClient(PapermillNotebookClient):
        def __init__(self, nb_man, km=None, kc=None, **kw):
            super().__init__(nb_man, km=km, **kw)
            self.kc, self._own_kc = kc, kc is None

        def execute(self, **kwargs):
            try:
                return super().execute(**kwargs)
            finally:
                kc, self.kc = self.kc, None
                if kc is not None and self._own_kc:
                    try:
                        kc.stop_channels()
                    except Exception:  # noqa: BLE001
                        pass

    class WarmKernelEngine(NBClientEngine):
        @classmethod
        def execute_notebook(cls, nb, kernel_name, output_path=None, progress_bar=False, log_output=False,
                             autosave_cell_every=30, **kwargs):
            nb_man = NotebookExecutionManager(nb, output_path=None, progress_bar=False, log_output=log_output,
                                              autosave_cell_every=0)
            nb_man.notebook_start()
            try:
                cls.execute_managed_notebook(nb_man, kernel_name, log_output=log_output, **kwargs)
            except BaseException:
                nb_man.output_path = output_path  # the final save below writes what ran
                raise
            finally:
                nb_man.cleanup_pbar()
                nb_man.notebook_complete()
            return nb_man.nb

        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None,
                                     stderr_file=None, start_timeout=60, execution_timeout=None, **kwargs):
            kwargs = remove_args(["input_path"], **kwargs)
            safe_kwargs = remove_args(["timeout", "startup_timeout"], **kwargs)
            final_kwargs = merge_kwargs(
                safe_kwargs, timeout=execution_timeout if execution_timeout else kwargs.get("timeout"),
                startup_timeout=start_timeout, kernel_name=kernel_name, log=_quiet_log(),
                log_output=log_output, stdout_file=stdout_file, stderr_file=stderr_file,
            )
            return OwnKernelClient(nb_man, **final_kwargs).execute()

    papermill_engines.register(ENGINE_NAME, WarmKernelEngine)
    return ENGINE_NAME
