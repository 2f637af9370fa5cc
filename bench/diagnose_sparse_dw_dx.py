#!/usr/bin/env python3
# Which half of the per-example top-k backward drives the growth of the logits under Adam: the sparse
# weight gradient (dW rows) or the sparse input gradient (dx)? Custom autograd Function, 400 steps.
# Run: /usr/bin/python3 bench/diagnose_sparse_dw_dx.py
import gzip, numpy as np, torch, sys
torch.set_num_threads(1)
d='/usr/share/datasets/fashion-mnist/'
def imgs(f): b=gzip.open(d+f).read(); return np.frombuffer(b,np.uint8,offset=16).reshape(-1,784).astype(np.float32)/255
def labs(f): return np.frombuffer(gzip.open(d+f).read(),np.uint8,offset=8).astype(np.int64)
X=torch.tensor(imgs('train-images-idx3-ubyte.gz')[5000:10000]); Y=torch.tensor(labs('train-labels-idx1-ubyte.gz')[5000:10000])
def topk_mask(g,k):
    idx=g.abs().topk(k,dim=1).indices
    return g*torch.zeros_like(g).scatter_(1,idx,1.0)
class Lin(torch.autograd.Function):
    @staticmethod
    def forward(ctx,x,w,k,sparse_dx,sparse_dw):
        ctx.save_for_backward(x,w); ctx.k=k; ctx.sdx=sparse_dx; ctx.sdw=sparse_dw
        return x@w.t()
    @staticmethod
    def backward(ctx,g):
        x,w=ctx.saved_tensors; gm=topk_mask(g,ctx.k) if ctx.k>0 else g
        dx=(gm if ctx.sdx else g)@w; dw=(gm if ctx.sdw else g).t()@x
        return dx,dw,None,None,None
def run(k, sdx=True, sdw=True, lr=1e-3, steps=400, opt='adam'):
    torch.manual_seed(1)
    W=[torch.nn.init.xavier_uniform_(torch.empty(o,i)).requires_grad_() for i,o in ((784,500),(500,500),(500,10))]
    B=[torch.zeros(o,requires_grad=True) for o in (500,500,10)]
    o=torch.optim.Adam(W+B,lr=lr) if opt=='adam' else torch.optim.SGD(W+B,lr=lr)
    res=[]
    for s in range(steps):
        b=torch.randint(0,len(X),(10,)); h=X[b]
        for l in range(2): h=torch.relu(Lin.apply(h,W[l],k,sdx,sdw)+B[l])
        z=h@W[2].t()+B[2]; loss=torch.nn.functional.cross_entropy(z,Y[b])
        o.zero_grad(); loss.backward(); o.step()
        if s%200==199: res.append(f"s{s+1} loss {loss.item():.2f} |z| {z.norm(dim=1).mean():.0f}")
    return " ".join(res)
for name,kw in [("dense",dict(k=0)),("topk both",dict(k=20)),("topk: sparse dW only, dense dx",dict(k=20,sdx=False)),("topk: sparse dx only, dense dW",dict(k=20,sdw=False))]:
    print(f"{name:40s}", run(**kw))
