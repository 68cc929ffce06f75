"""One options object (``RenderOptions``) from the command line to the worker's kernel.

``build_reports``, ``plan_reports`` and ``render_report`` take ``options=`` or its
fields as keywords; a batch fills in its own warm-up where the options leave it
open; every task carries the same frozen object to whichever process renders it.
"""

from __future__ import annotations

import pickle

import pytest

from siianalysis.report.batch import plan_reports, warmup
from siianalysis.report.kernel import DEFAULT_WARM_MODULES, KernelOptions
from siianalysis.report.options import RenderOptions
from tests.test_report_batch import FIXTURES, write_processed


def test_keywords_and_an_options_object_are_the_same_thing():
    base = RenderOptions(lang="en", timeout=30)
    both = RenderOptions.of(base, with_code=True, warm_modules=["pandas"])
    assert both == RenderOptions(lang="en", timeout=30, with_code=True, warm_modules=("pandas",))
    assert base.with_code is False  # frozen: ``of`` makes a new one
    assert RenderOptions.of() == RenderOptions()
    with pytest.raises(TypeError, match="with_cod"):
        RenderOptions.of(with_cod=True)
    assert pickle.loads(pickle.dumps(both)) == both and hash(both) == hash(pickle.loads(pickle.dumps(both)))


def test_kernel_options_follow_the_render_options():
    options = RenderOptions(kernel_name="python3", start_timeout=90, reuse_kernel_reports=7)
    assert options.kernel_options() == KernelOptions(kernel_name="python3", warm_modules=DEFAULT_WARM_MODULES,
                                                     warm_calls=(), max_reports=7, start_timeout=90)
    assert RenderOptions(warm_modules=(), warm_calls=("m:f",)).kernel_options().warm_calls == ("m:f",)
    # what changes a document is in its digest; how its kernel was made is not
    assert RenderOptions(fresh_kernel=True).output_fields() == RenderOptions().output_fields()
    assert RenderOptions(with_code=True).output_fields() != RenderOptions().output_fields()


def test_a_plan_carries_one_options_object_with_the_batch_s_warm_up(tmp_path):
    processed = write_processed(tmp_path / "processed")
    plan = plan_reports(processed, tmp_path / "out", notebooks_dir=FIXTURES,
                        options=RenderOptions(lang="en"), with_code=True, reuse_kernel_reports=3)
    options = plan.options
    assert (options.lang, options.with_code, options.reuse_kernel_reports) == ("en", True, 3)
    assert (options.warm_modules, options.warm_calls) == (warmup.MODULES, warmup.CALLS)
    assert all(task.options is options for task in plan.tasks)
    assert {task.parameters["lang"] for task in plan.tasks} == {"en"}
    assert plan.tasks[0].title == "S-I-I network report"  # the network report's title, in English

    own = plan_reports(processed, tmp_path / "out", notebooks_dir=FIXTURES, warm_modules=("pandas",))
    assert own.options.warm_modules == ("pandas",) and own.options.warm_calls == warmup.CALLS
    assert [t.digest for t in own.tasks] != [t.digest for t in plan.tasks]  # language and code shown
