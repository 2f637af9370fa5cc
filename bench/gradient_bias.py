#!/usr/bin/env python3
# Bias of the meProp gradient estimators at a fixed point: over many minibatches, compare the mean
# masked gradient of W2 with the mean true gradient (cosine), and Adam's per-element signal-to-noise
# |E g| / sqrt(E g^2) (what m/sqrt(v) tends to).
import gzip, numpy as np, torch
torch.set_num_threads(1); torch.manual_seed(1)
d='/usr/share/datasets/fashion-mnist/'
X=torch.tensor(np.frombuffer(gzip.open(d+'train-images-idx3-ubyte.gz').read(),np.uint8,offset=16).reshape(-1,784)[5000:15000].astype(np.float32)/255)
Y=torch.tensor(np.frombuffer(gzip.open(d+'train-labels-idx1-ubyte.gz').read(),np.uint8,offset=8)[5000:15000].astype(np.int64))
W1=torch.nn.init.xavier_uniform_(torch.empty(500,784)); W2=torch.nn.init.xavier_uniform_(torch.empty(500,500)); W3=torch.nn.init.xavier_uniform_(torch.empty(10,500))
def grads(mode,k=20,B=10,n=600):
    gs=[]
    for _ in range(n):
        b=torch.randint(0,len(X),(B,)); x=X[b]
        y1=x@W1.t(); h1=torch.relu(y1); y2=h1@W2.t(); h2=torch.relu(y2); z=h2@W3.t()
        p=torch.softmax(z,1); e=p.clone(); e[torch.arange(B),Y[b]]-=1; e/=B
        dy2=(e@W3)*(y2>0)
        if mode=='topk': m=torch.zeros_like(dy2).scatter_(1,dy2.abs().topk(k,1).indices,1.0); dy2=dy2*m
        elif mode=='unified': m=torch.zeros(500); m[dy2.abs().sum(0).topk(k).indices]=1; dy2=dy2*m
        elif mode=='random': m=torch.zeros_like(dy2).scatter_(1,torch.rand_like(dy2).topk(k,1).indices,1.0); dy2=dy2*m
        gs.append((dy2.t()@h1).flatten())
    return torch.stack(gs)
torch.manual_seed(2); G=grads('dense'); gm=G.mean(0)
snr=lambda g: (g.mean(0).abs()/(g.pow(2).mean(0).sqrt()+1e-12))
print('dense   SNR(mean over elems) %.3f'%snr(G).mean())
for mode in ('topk','unified','random'):
    torch.manual_seed(2); H=grads(mode); hm=H.mean(0)
    cos=torch.nn.functional.cosine_similarity(hm,gm,0).item()
    s=snr(H); nz=H.abs().sum(0)>0
    print(f'{mode:8s} cos(E masked, E true) {cos:.3f}  SNR {s[nz].mean():.3f}  sign agreement of E g {(torch.sign(hm[nz])==torch.sign(gm[nz])).float().mean():.3f}')

# Run: /usr/bin/python3 bench/gradient_bias.py   (python3-torch, dataset-fashion-mnist)
