"""A PL simulator written apart from src/simulate (its own line shapes, sidebands, noise,
flattening and ranges), for probing the screener on an instrument and stone physics it was not
built from. Writes SIMULATED stones (pl405 + pl532 CSV, labels.csv with family `indep`):

    python3 models/probe/independent_pl.py OUT_DIR SEED STONES
    diamond-screen evaluate OUT_DIR
"""
import numpy as np, sys, os, csv
rng = np.random.default_rng(int(sys.argv[2]) if len(sys.argv) > 2 else 7)
out = sys.argv[1]; os.makedirs(out, exist_ok=True)
N = int(sys.argv[3]) if len(sys.argv) > 3 else 300

def raman_nm(exc, shift=1332.5):
    return 1e7 / (1e7 / exc - shift)

def voigtish(x, c, fwhm, eta):
    s = fwhm / 2.3548
    g = np.exp(-0.5 * ((x - c) / s) ** 2)
    l = 1 / (1 + ((x - c) / (fwhm / 2)) ** 2)
    return eta * l + (1 - eta) * g

def sideband(x, zpl, width_nm, hr):
    # phonon sideband: asymmetric band on the red side of the ZPL (a sum of gamma-ish lobes)
    d = np.clip(x - zpl, 0.0, None)
    sb = (d / width_nm) ** 1.5 * np.exp(-d / width_nm)
    sb /= max(sb.max(), 1e-12)
    return hr * sb

def instrument():
    return dict(
        npix=int(rng.choice([1024, 1340, 2048, 2500])),
        fwhm=float(rng.uniform(0.08, 1.2)),
        eta=float(rng.uniform(0, 0.6)),
        cal=float(rng.uniform(-0.3, 0.3)),
        quad=float(rng.uniform(-2e-5, 2e-5)),
        scale=float(10 ** rng.uniform(3, 5)),
        read=float(rng.uniform(2, 20)),
        dark=float(rng.uniform(0, 600)),
        resp_tilt=float(rng.uniform(-0.5, 0.5)),
        flatten=bool(rng.random() < 0.25),
    )

def measure(lines, exc, lo, hi, inst, temp, fluor):
    n = inst['npix']
    t = np.linspace(0, 1, n)
    x_true = lo + (hi - lo) * t + inst['quad'] * (t - 0.5) ** 2 * (hi - lo) ** 2
    x_rep = x_true + inst['cal']  # the axis as the instrument reports it (calibration error)
    y = np.zeros(n)
    for (c, h, w, hr, sbw, *kind) in lines:
        if temp > 200 and kind != ['raman']:
            # a zero-phonon line shifts red and broadens at room temperature
            c = c + 0.6 * (c / 600); w = max(w * 8, 1.5)
        elif temp > 200:
            # a Raman line follows the laser and barely broadens (diamond 1.2 -> 1.7 cm^-1)
            w = w * 1.4
        fw = np.hypot(w, inst['fwhm'])
        y += h * voigtish(x_true, c, fw, inst['eta'])
        if hr > 0:
            y += h * sideband(x_true, c, sbw, hr) * (0.5 if temp < 200 else 1.0)
    # broad fluorescence
    for (c, w, h) in fluor:
        y += h * np.exp(-0.5 * ((x_true - c) / w) ** 2)
    resp = 1 + inst['resp_tilt'] * (t - 0.5)
    y = y * resp
    # laser tail near the lower edge
    y += 3.0 * np.exp(-(x_true - exc) / 2.0) * (x_true > exc)
    sig = y * inst['scale']
    counts = rng.poisson(np.clip(sig, 0, None)).astype(float) + rng.normal(0, inst['read'], n) + inst['dark']
    if rng.random() < 0.3:
        k = rng.integers(0, n); counts[k] += rng.uniform(5, 50) * inst['scale'] * 0.05
    if inst['flatten']:
        # software flattening: subtract a heavy running minimum-ish baseline, normalise to max
        from scipy.ndimage import minimum_filter1d, uniform_filter1d
        b = uniform_filter1d(minimum_filter1d(counts, 101), 101)
        counts = counts - b
        counts = counts / counts.max() * 1000
    return x_rep, counts

def stone(kind, temp):
    """lines: (centre nm, height relative to Raman=1, width nm at 77K, sideband height, sideband
    width[, 'raman'] for a Raman line, which does not shift or broaden like a zero-phonon line)"""
    pl405, pl532, fl405, fl532 = [], [], [], []
    raman = 1.0
    diamond = kind not in ('cz', 'moissanite', 'glass', 'corundum')
    if diamond:
        pl405.append((raman_nm(405), 1.0, 0.15, 0, 0, 'raman')); pl532.append((raman_nm(532), 1.0, 0.15, 0, 0, 'raman'))
        pl532.append((raman_nm(532, 2450), 0.03, 8, 0, 0, 'raman'))
    u = rng.uniform
    if kind == 'natural_ia':
        pl405.append((415.2, u(0.5, 40), 0.3, u(1.5, 4), 12))  # N3 with vibronic band
        if rng.random() < 0.6: pl405.append((503.2, u(0.2, 10), 0.3, u(1, 3), 10))  # H3
        if rng.random() < 0.3: pl405.append((496.0, u(0.1, 3), 0.3, 1, 8))
        if rng.random() < 0.3: pl405.append((490.7, u(0.1, 2), 0.4, 0.5, 6))
        if rng.random() < 0.7: pl532.append((575.0, u(0.05, 3), 0.3, u(1, 3), 15))
        if rng.random() < 0.7: pl532.append((637.0, u(0.05, 2), 0.3, u(2, 5), 20))
        rng.random()  # a draw kept so that a seed gives the stones the model card's figures came from
        fl405.append((u(440, 520), u(30, 80), u(0, 5))); fl532.append((u(560, 700), u(40, 120), u(0, 8)))
    elif kind == 'natural_iia':
        if rng.random() < 0.5: pl532.append((741.1, u(0.05, 1), 0.4, 0.5, 10))
        if rng.random() < 0.6: pl532.append((575.0, u(0.05, 1), 0.3, 1.5, 15))
        if rng.random() < 0.6: pl532.append((637.0, u(0.05, 1), 0.3, 3, 20))
        if rng.random() < 0.3: pl405.append((503.4, u(0.05, 1), 0.2, 0.5, 8))
        fl405.append((u(440, 520), u(30, 80), u(0, 1))); fl532.append((u(560, 700), u(40, 120), u(0, 2)))
    elif kind == 'cvd':
        pl532.append((737.0, u(0.3, 30), 0.3, 0.2, 8))
        pl532.append((575.0, u(0.3, 10), 0.3, 2, 15)); pl532.append((637.0, u(0.3, 10), 0.3, 3, 20))
        if temp < 200 and rng.random() < 0.7: pl532 += [(596.5, u(0.1, 2), 0.25, 0, 0), (597.1, u(0.1, 2), 0.25, 0, 0)]
        if rng.random() < 0.5: pl405.append((467.8, u(0.1, 3), 0.3, 0.3, 6))
        pl405.append((575.0, u(0.3, 5), 0.3, 2, 15))
        if rng.random() < 0.3: pl405.append((503.2, u(0.1, 3), 0.3, 2, 10))  # H3 in treated CVD
        fl405.append((u(450, 550), u(30, 80), u(0, 3))); fl532.append((u(580, 700), u(40, 120), u(0, 5)))
    elif kind == 'hpht':
        pl405.append((484.4, u(0.2, 10), 0.3, 0.5, 6))
        if rng.random() < 0.5: pl405.append((503.2, u(0.1, 3), 0.3, 2, 10))
        if rng.random() < 0.5: pl532.append((658.0, u(0.1, 3), 0.4, 0.5, 8))
        if rng.random() < 0.5: pl532.append((793.6, u(0.1, 3), 0.4, 0.5, 8))
        if rng.random() < 0.5: pl532.append((883.0, u(0.2, 5), 0.5, 0, 0)); pl532.append((884.7, u(0.2, 5), 0.5, 0, 0))
        if rng.random() < 0.5: pl532.append((575.0, u(0.1, 3), 0.3, 2, 15)); pl532.append((637.0, u(0.1, 3), 0.3, 3, 20))
        fl405.append((u(450, 550), u(30, 80), u(0, 5))); fl532.append((u(580, 700), u(40, 120), u(0, 6)))
    elif kind == 'cz':
        fl405.append((u(480, 530), u(40, 80), u(5, 50))); fl532.append((u(560, 620), u(40, 80), u(5, 50)))
        pl532.append((1e7 / (1e7 / 532 - 625), 0.3, 6, 0, 0, 'raman')); pl532.append((1e7 / (1e7 / 532 - 470), 0.3, 6, 0, 0, 'raman'))
    elif kind == 'moissanite':
        for s in (767, 789, 797, 965): pl532.append((raman_nm(532, s), u(0.3, 1.5), 0.3, 0, 0, 'raman')); pl405.append((raman_nm(405, s), u(0.3, 1.5), 0.3, 0, 0, 'raman'))
        fl532.append((u(560, 650), u(40, 80), u(0, 3)))
    elif kind == 'glass':
        fl405.append((u(450, 550), u(50, 100), u(1, 20))); fl532.append((u(560, 680), u(50, 100), u(1, 20)))
    elif kind == 'corundum':
        pl532.append((693.0, u(2, 50), 0.3, 0, 0)); pl532.append((694.3, u(2, 50), 0.3, 0, 0))
        pl532.append((raman_nm(532, 418), 0.5, 0.4, 0, 0, 'raman'))
        fl405.append((u(450, 550), u(50, 100), u(0, 3)))
    return pl405, pl532, fl405, fl532

kinds = ['natural_ia'] * 70 + ['natural_iia'] * 3 + ['cvd'] * 7 + ['hpht'] * 7 + ['cz'] * 4 + ['moissanite'] * 4 + ['glass'] * 3 + ['corundum'] * 2
with open(os.path.join(out, 'labels.csv'), 'w') as lab:
    lab.write('stone_id,truth,subtype,family\n')
    for i in range(N):
        kind = kinds[rng.integers(0, len(kinds))]
        temp = 77 if rng.random() < 0.6 else 295
        sid = f'IND{i:05d}'
        truth = {'natural_ia': 'natural', 'natural_iia': 'natural', 'cvd': 'cvd', 'hpht': 'hpht'}.get(kind, 'simulant')
        lab.write(f'{sid},{truth},{kind},indep\n')
        pl405, pl532, fl405, fl532 = stone(kind, temp)
        inst = instrument()
        for exc, lines, fl, lo, hi in ((405, pl405, fl405, 408 + rng.uniform(0, 4), rng.uniform(600, 700)),
                                        (532, pl532, fl532, 536 + rng.uniform(0, 4), rng.uniform(760, 900))):
            x, y = measure(lines, exc, lo, hi, inst, temp, fl)
            with open(os.path.join(out, f'{sid}_pl{exc}.csv'), 'w') as f:
                f.write(f'# simulated: true (independent probe simulator, not diamond-screen)\n# stone_id: {sid}\n# technique: pl\n# excitation_nm: {exc}\n# temperature_k: {temp}\n# x_unit: nm\nx,y\n')
                for a, b in zip(x, y): f.write(f'{a:.4f},{b:.2f}\n')
