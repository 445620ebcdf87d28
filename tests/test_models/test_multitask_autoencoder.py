"""The multi-task autoencoder: paper-size parameters, losses and scores computed
independently, the decoder run once per batch, refusals of malformed batches."""
import pytest
import torch
import torch.nn.functional as F
from mmengine.optim import OptimWrapper
from tiny_detector import PAPER_TASKS, build_tiny_model
from torch import nn

from vadkit.models.heads import ClipFeatures
from vadkit.models.measures import functional as MF  # noqa: N812
from vadkit.registry import MODELS
from vadkit.utils import register_all_modules

register_all_modules()

T = 8  # clip_len of the tiny model
B = 2
HW = 32


def n_params(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def tiny_model(tasks=None, **kwargs):
    return build_tiny_model(tasks, clip_len=T, **kwargs)


def uint8_clip(frames, b=B, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.randint(0, 256, (b, 1, frames, HW, HW), dtype=torch.uint8, generator=g)


def train_batch(b=B):
    return dict(inputs=dict(window=uint8_clip(T + 1, b, 1), prp_clip=uint8_clip(T, b, 2)),
                data_samples=dict(prp_label=torch.tensor([0, 1] * (b // 2) + [1] * (b % 2))))


def eval_batch(b=B, frames=T + 1):
    return dict(inputs=dict(window=uint8_clip(frames, b, 3)),
                data_samples=dict(video_idx=torch.arange(b), frame_idx=torch.arange(b) + T,
                                  label=torch.tensor([0, 1] * (b // 2) + [0] * (b % 2))))


class CallCounter:
    """Counts forward calls of a module through a forward hook."""

    def __init__(self, module: nn.Module) -> None:
        self.n = 0
        self.handle = module.register_forward_hook(self._hook)

    def _hook(self, *_):
        self.n += 1

    def remove(self):
        self.handle.remove()


# ---------------------------------------------------------------------------------------
# Paper-size model and heads
# ---------------------------------------------------------------------------------------
def test_paper_model_parameter_count():
    model = MODELS.build(
        dict(type='MultiTaskAutoEncoder', clip_len=16, backbone=dict(type='Conv3DAutoEncoder'),
             tasks=[dict(t) for t in PAPER_TASKS]))
    assert n_params(model) == 6_124_447  # paper: 6.12 M
    assert n_params(model.backbone) == 5_980_801  # paper: 5.98 M
    assert model.task_names == ['vcr', 'ffp', 'prp']
    vcr, ffp, prp = model.tasks
    assert n_params(vcr) == 0
    assert n_params(ffp) == 28  # Conv3d 1->1 kernel 3 (+ bias)
    assert ffp.conv.stride == (16, 1, 1)
    assert n_params(prp) == 143_618
    assert [h.loss_weight for h in model.tasks] == [0.6, 0.4, 1.0]


# ---------------------------------------------------------------------------------------
# Loss mode
# ---------------------------------------------------------------------------------------
def test_loss_mode_weights_and_values():
    model = tiny_model()
    model.train()
    data = model.data_preprocessor(train_batch(), True)
    inputs, samples = data['inputs'], data['data_samples']
    losses = model(inputs, samples, mode='loss')
    assert set(losses) == {'loss_vcr', 'loss_ffp', 'loss_prp'}
    assert all(torch.isfinite(v) and v.dim() == 0 for v in losses.values())

    # recompute every unweighted loss through the backbone (train-mode BN uses batch stats,
    # so the same input gives the same output)
    with torch.no_grad():
        window, prp_clip = inputs['window'], inputs['prp_clip']
        x = window[:, :, :T]
        decoded = model.backbone.decode(model.backbone.encode(x))
        l_vcr = F.mse_loss(torch.tanh(decoded), x)
        ffp = model.tasks[1]
        pred = torch.tanh(F.conv3d(decoded, ffp.conv.weight, ffp.conv.bias, stride=(T, 1, 1),
                                   padding=1))
        assert pred.shape == (B, 1, 1, HW, HW)
        l_ffp = F.mse_loss(pred[:, :, 0], window[:, :, T])
        code = model.backbone.encode(prp_clip)
        logits = model.tasks[2](ClipFeatures(clip=prp_clip, inputs=prp_clip, code=code))
        l_prp = F.cross_entropy(logits, samples['prp_label'])
    torch.testing.assert_close(losses['loss_vcr'].detach(), 0.6 * l_vcr)
    torch.testing.assert_close(losses['loss_ffp'].detach(), 0.4 * l_ffp)
    torch.testing.assert_close(losses['loss_prp'].detach(), 1.0 * l_prp)


def test_loss_weights_scale_linearly():
    weighted = tiny_model()
    unit = tiny_model([dict(t, loss_weight=1.0) for t in PAPER_TASKS])
    unit.load_state_dict(weighted.state_dict())
    weighted.eval()
    unit.eval()
    data = weighted.data_preprocessor(train_batch())
    with torch.no_grad():
        lw = weighted(**data, mode='loss')
        lu = unit(**data, mode='loss')
    for name, lam in (('vcr', 0.6), ('ffp', 0.4), ('prp', 1.0)):
        torch.testing.assert_close(lw[f'loss_{name}'], lam * lu[f'loss_{name}'])


def test_each_term_of_a_sum_of_losses_is_logged_and_summed_once():
    motion = dict(type='MeasureLoss', weight=0.5,
                  measure=dict(type='TemporalDifference', measure=dict(type='MSE')))
    loss = dict(type='WeightedSumLoss', terms=[dict(type='MSELoss'), motion])
    model = tiny_model([dict(PAPER_TASKS[0], loss=loss), *PAPER_TASKS[1:]])
    model.eval()
    data = model.data_preprocessor(train_batch())
    with torch.no_grad():
        losses = model(**data, mode='loss')
    assert set(losses) == {'loss_vcr', 'loss_ffp', 'loss_prp', 'loss_vcr.mse',
                           'loss_vcr.temporaldifference'}
    # lambda-weighted like the task's total, which they add up to
    torch.testing.assert_close(losses['loss_vcr.mse'] + losses['loss_vcr.temporaldifference'],
                               losses['loss_vcr'])
    total, log_vars = model.parse_losses(losses)
    torch.testing.assert_close(total, losses['loss_vcr'] + losses['loss_ffp']
                               + losses['loss_prp'])
    assert 'loss_vcr.temporaldifference' in log_vars
    torch.testing.assert_close(log_vars['loss'], total)


def test_loss_backward_reaches_every_parameter():
    model = tiny_model()
    model.train()
    losses = model(**model.data_preprocessor(train_batch(), True), mode='loss')
    sum(losses.values()).backward()
    missing = [n for n, p in model.named_parameters() if p.grad is None]
    assert not missing


def test_train_step_sums_task_losses():
    model = tiny_model()
    wrapper = OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.0))
    log_vars = model.train_step(train_batch(), wrapper)
    assert {'loss', 'loss_vcr', 'loss_ffp', 'loss_prp'} <= set(log_vars)
    total = log_vars['loss_vcr'] + log_vars['loss_ffp'] + log_vars['loss_prp']
    assert float(log_vars['loss']) == pytest.approx(float(total), rel=1e-5)


def test_decoder_runs_once_in_loss_mode_and_never_for_prp_clip():
    model = tiny_model()
    dec = CallCounter(model.backbone.decoder)
    enc = CallCounter(model.backbone.encoder)
    decoded_shapes = []
    original = model.backbone.decode

    def spy(code):
        decoded_shapes.append(tuple(code.shape))
        return original(code)

    model.backbone.decode = spy
    try:
        data = model.data_preprocessor(train_batch(), True)
        model(**data, mode='loss')
    finally:
        del model.backbone.decode
        dec.remove()
        enc.remove()
    assert dec.n == 1  # VCR and FFP share one decoding of the window
    assert enc.n == 2  # the window and the PRP clip are each encoded once
    assert len(decoded_shapes) == 1


def test_encode_together_one_encoder_pass_same_losses_with_fixed_statistics():
    model = tiny_model(encode_together=True)
    reference = tiny_model()
    data = model.data_preprocessor(train_batch(), True)
    # with fixed statistics every clip is processed alone: the same losses ...
    model.eval()
    reference.eval()
    with torch.no_grad():
        a, b = model(**data, mode='loss'), reference(**data, mode='loss')
    for k in a:
        torch.testing.assert_close(a[k], b[k], rtol=1e-5, atol=1e-7)
    # ... in training mode BatchNorm normalises the joint batch, so they differ
    model.train()
    reference.train()
    enc = CallCounter(model.backbone.encoder)
    dec = CallCounter(model.backbone.decoder)
    try:
        together = model(**data, mode='loss')
    finally:
        enc.remove()
        dec.remove()
    assert enc.n == 1 and dec.n == 1  # window and PRP clip in one batch; one decoding
    separate = reference(**data, mode='loss')
    assert not torch.allclose(together['loss_vcr'], separate['loss_vcr'])


def test_encode_together_needs_clips_of_one_shape():
    model = tiny_model(encode_together=True)
    batch = train_batch()
    batch['inputs']['prp_clip'] = batch['inputs']['prp_clip'][..., :HW // 2, :HW // 2]
    data = model.data_preprocessor(batch, True)
    with pytest.raises(ValueError, match='encode_together needs clips of one shape'):
        model(**data, mode='loss')


def test_prp_only_model_never_decodes():
    model = tiny_model([dict(type='PlaybackRateHead', name='prp')])
    dec = CallCounter(model.backbone.decoder)
    data = model.data_preprocessor(train_batch(), True)
    losses = model(**data, mode='loss')
    assert set(losses) == {'loss_prp'}
    model.eval()
    with torch.no_grad():
        out = model(**model.data_preprocessor(eval_batch()), mode='predict')
    assert dec.n == 0
    assert set(out[0]['scores']) == {'prp'}


def test_decoder_runs_once_in_predict_and_tensor_mode():
    model = tiny_model()
    model.eval()
    dec = CallCounter(model.backbone.decoder)
    enc = CallCounter(model.backbone.encoder)
    with torch.no_grad():
        model(**model.data_preprocessor(eval_batch()), mode='predict')
        assert (dec.n, enc.n) == (1, 1)
        outs = model(**model.data_preprocessor(eval_batch()), mode='tensor')
        assert (dec.n, enc.n) == (2, 2)
    assert outs['vcr'].shape == (B, 1, T, HW, HW)
    assert outs['ffp'].shape == (B, 1, HW, HW)
    assert outs['prp'].shape == (B, 2)


def test_ffp_needs_clip_len_plus_one_frames():
    model = tiny_model()
    batch = train_batch()
    batch['inputs']['window'] = batch['inputs']['window'][:, :, :T]
    with pytest.raises(ValueError, match=r'clip_len \+ 1'):
        model(**model.data_preprocessor(batch, True), mode='loss')
    model.eval()
    with pytest.raises(ValueError, match=r'clip_len \+ 1'), torch.no_grad():
        model(**model.data_preprocessor(eval_batch(frames=T)), mode='predict')


def test_clip_shorter_than_clip_len_raises():
    model = tiny_model([dict(type='ClipReconstructionHead')])
    with pytest.raises(ValueError):
        model(dict(window=torch.zeros(1, 1, T - 1, HW, HW)), mode='tensor')


def test_missing_prp_clip_names_the_transform():
    model = tiny_model()
    batch = train_batch()
    del batch['inputs']['prp_clip']
    with pytest.raises(KeyError, match='SamplePlaybackRateClip') as err:
        model(**model.data_preprocessor(batch, True), mode='loss')
    assert 'prp_clip' in str(err.value)


def test_missing_prp_label_names_the_transform():
    model = tiny_model()
    batch = train_batch()
    batch['data_samples'] = {}
    with pytest.raises(KeyError, match='SamplePlaybackRateClip') as err:
        model(**model.data_preprocessor(batch, True), mode='loss')
    assert 'prp_label' in str(err.value)


# ---------------------------------------------------------------------------------------
# Predict mode
# ---------------------------------------------------------------------------------------
def test_predict_records_and_scores():
    model = tiny_model()
    model.eval()
    batch = eval_batch()
    with torch.no_grad():
        results = model.test_step(batch)
    assert isinstance(results, list) and len(results) == B
    for i, rec in enumerate(results):
        assert rec['video_idx'] == i
        assert rec['frame_idx'] == i + T
        assert rec['label'] == batch['data_samples']['label'][i].item()
        assert set(rec['scores']) == {'vcr', 'ffp', 'prp'}
        assert all(isinstance(v, float) for v in rec['scores'].values())

    # recompute the raw scores (Eq. 12-14) through the backbone
    with torch.no_grad():
        window = model.data_preprocessor(batch)['inputs']['window']
        x = window[:, :, :T]
        code = model.backbone.encode(x)
        decoded = model.backbone.decode(code)
        vcr = ((torch.tanh(decoded) - x)**2).mean(dim=(1, 3, 4))  # per frame
        vcr = vcr.mean(1)  # mean over the T frames
        ffp = model.tasks[1]
        pred = torch.tanh(ffp.conv(decoded))[:, :, 0]
        ffp_score = ((pred - window[:, :, T])**2).mean(dim=(1, 2, 3))
        prp = model.tasks[2](ClipFeatures(clip=window, inputs=x, code=code)).softmax(1)[:, 1]
    for i, rec in enumerate(results):
        assert rec['scores']['vcr'] == pytest.approx(vcr[i].item(), rel=1e-5)
        assert rec['scores']['ffp'] == pytest.approx(ffp_score[i].item(), rel=1e-5)
        assert rec['scores']['prp'] == pytest.approx(prp[i].item(), rel=1e-5)


def test_predict_extra_measures_on_vcr():
    tasks = [dict(PAPER_TASKS[0], extra_measures=dict(pse=dict(type='PSE'), bpe=dict(type='BPE'))),
             PAPER_TASKS[1], PAPER_TASKS[2]]
    model = tiny_model(tasks)
    model.eval()
    batch = eval_batch()
    with torch.no_grad():
        results = model.test_step(batch)
        window = model.data_preprocessor(batch)['inputs']['window']
        x = window[:, :, :T]
        recon = torch.tanh(model.backbone(x)[1])
    assert set(results[0]['scores']) == {'vcr', 'vcr.pse', 'vcr.bpe', 'ffp', 'prp'}
    frames = lambda v: v.transpose(1, 2).reshape(B * T, 1, HW, HW)  # noqa: E731
    for key, fn in (('vcr', MF.mse), ('vcr.pse', MF.pse), ('vcr.bpe', MF.bpe)):
        expected = fn(frames(recon), frames(x)).view(B, T).mean(1)
        for i in range(B):
            assert results[i]['scores'][key] == pytest.approx(expected[i].item(), rel=1e-5)
    for rec in results:
        # blurring lowers the error energy; BPE keeps a quarter of the blurred pixels
        assert rec['scores']['vcr.bpe'] < rec['scores']['vcr.pse'] < rec['scores']['vcr']


def test_invalid_mode_and_bad_task_lists():
    model = tiny_model()
    with pytest.raises(ValueError, match='invalid mode'):
        model(dict(window=torch.zeros(1, 1, T + 1, HW, HW)), mode='scores')
    with pytest.raises(ValueError, match='unique'):
        tiny_model([dict(type='ClipReconstructionHead'), dict(type='ClipReconstructionHead')])
    with pytest.raises(ValueError, match='at least one task'):
        MODELS.build(dict(type='MultiTaskAutoEncoder', backbone=dict(type='Conv3DAutoEncoder'),
                          tasks=[]))


